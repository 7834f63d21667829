package org.memvirt.qemu.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The agent's side of a channel, scripted: answers each request line with what {@code script} returns for it (a reply
 * line with {@code SEQ} replaced by the request's sequence number, {@code null} to close the channel, "" to stay
 * silent). Records the requests it got.
 */
final class FakeAgent implements AutoCloseable {
    static final String READY = "{\"type\":\"ready\",\"seq\":0,\"protocol\":1,\"kernel\":\"6.1.0-57-amd64\",\"uptime_ns\":3400000000,"
            + "\"thp\":\"never\",\"cpus\":1,\"pid\":1}";

    final List<String> requests = new CopyOnWriteArrayList<>();
    final AgentConnection channel;
    private final OutputStream toHost;
    private final Thread thread;

    FakeAgent(String first, Function<String, String> script) throws IOException {
        Pipe up = Pipe.open(), down = Pipe.open();
        channel = new AgentConnection(up.source(), down.sink(), () -> { up.source().close(); down.sink().close(); });
        toHost = Channels.newOutputStream(up.sink());
        BufferedReader fromHost = new BufferedReader(new InputStreamReader(Channels.newInputStream(down.source()), StandardCharsets.UTF_8));
        if (first != null) say(first);
        thread = new Thread(() -> {
            try {
                for (String line; (line = fromHost.readLine()) != null; ) {
                    requests.add(line);
                    String answer = script.apply(line);
                    if (answer == null) break;
                    if (!answer.isEmpty()) say(answer.replace("SEQ", line.substring(0, line.indexOf(' '))));
                }
            } catch (IOException e) {
                // the host closed its end
            } finally {
                try {
                    toHost.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }, "fake-agent");
        thread.setDaemon(true);
        thread.start();
    }

    void say(String line) throws IOException {
        toHost.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        toHost.flush();
    }

    /** A done reply for the request's verb with a pgfault change and a small meminfo. */
    static String done(String request, long pgfault) {
        String verb = request.split(" ")[1];
        return "{\"type\":\"done\",\"seq\":SEQ,\"op\":\"" + verb + "\",\"ns\":1000,\"running\":0,\"result\":{\"pages\":16384},"
                + "\"vmstat\":{\"pgfault\":" + pgfault + ",\"nr_anon_pages\":16391},\"stat\":{\"ctxt\":18,\"processes\":0},"
                + "\"meminfo\":{\"MemTotal\":1017856000,\"MemFree\":870000000,\"HugePages_Total\":0}}";
    }

    @Override
    public void close() {
        channel.close();
    }
}
