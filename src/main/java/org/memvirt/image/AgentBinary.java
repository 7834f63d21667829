package org.memvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * memvirt's guest agent as the build made it (guest/agent/, gcc -static; guest/Makefile writes both resources):
 * the program and the SHA-256 of its sources, which keys the image cache.
 */
record AgentBinary(byte[] program, String sourceSha256) {
    static final String PROGRAM = "/guest/agent", SOURCE_SHA256 = "/guest/agent.sha256";

    /** The agent from the class path (target/classes/guest, or the jar). */
    static AgentBinary load() {
        String sha = new String(resource(SOURCE_SHA256), StandardCharsets.US_ASCII).strip();
        if (!sha.matches("[0-9a-f]{64}")) throw new ImageException("guest agent source hash " + SOURCE_SHA256 + " is not a SHA-256: '" + sha + "'");
        return new AgentBinary(resource(PROGRAM), sha);
    }

    private static byte[] resource(String name) {
        try (InputStream in = AgentBinary.class.getResourceAsStream(name)) {
            if (in == null) throw new ImageException("guest agent " + name + " missing from the class path (build with mvn)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ImageException("cannot read the guest agent " + name + ": " + e.getMessage());
        }
    }
}
