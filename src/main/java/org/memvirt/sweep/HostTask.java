package org.memvirt.sweep;

import org.memvirt.engine.Engines;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;

/** Runs one host of a study through the engine seam; the same code on a local thread and on a Spark executor. */
public final class HostTask {
    private final Engines.Request engine;
    private final HostBuilder builder;

    public HostTask(Study study) {
        this.engine = Engines.Request.parse(study.engine());
        this.builder = new HostBuilder(study);
    }

    public HostOutcome run(HostKey key) {
        HostSpec spec = builder.build(key.point(), key.host());
        Engines.Choice choice = Engines.forHost(engine, spec);
        HostResult r = choice.engine().run(spec, RunListener.NONE);
        return HostOutcome.of(key.point(), key.host(), r);
    }
}
