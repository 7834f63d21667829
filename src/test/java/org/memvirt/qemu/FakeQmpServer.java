package org.memvirt.qemu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An in-process QMP server on a Unix socket that plays a scripted conversation with one client, byte by byte if
 * asked: for the cases real QEMU does not produce on demand (partial and malformed JSON, EOF mid-reply, events out of
 * order). The script runs on its own thread; {@link #close()} waits for it and rethrows what it threw.
 */
final class FakeQmpServer implements AutoCloseable {
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
            + "\"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}\r\n";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The server's side of one connection. */
    interface Script {
        void play(Peer peer) throws Exception;
    }

    /** What a script can do with the client. */
    static final class Peer {
        private final SocketChannel channel;
        private final BufferedReader in;

        Peer(SocketChannel channel) {
            this.channel = channel;
            this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        }

        /** Sends raw text, exactly as given. */
        void send(String text) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) channel.write(b);
        }

        /** Sends {@code text} in pieces of {@code size} bytes with a pause between them, as a slow socket would. */
        void sendInPieces(String text, int size) throws IOException, InterruptedException {
            for (int i = 0; i < text.length(); i += size) {
                send(text.substring(i, Math.min(text.length(), i + size)));
                Thread.sleep(5);
            }
        }

        /** The next command the client sent (memvirt sends one JSON object per line). */
        JsonNode command() throws IOException {
            String line = in.readLine();
            if (line == null) throw new IOException("client closed the connection");
            return MAPPER.readTree(line);
        }

        /** Reads the client's {@code qmp_capabilities} and accepts it (after the greeting was sent). */
        void negotiate() throws IOException {
            send(GREETING);
            JsonNode c = command();
            if (!c.path("execute").asText().equals("qmp_capabilities")) throw new IOException("expected qmp_capabilities: " + c);
            send("{\"return\": {}, \"id\": " + c.get("id") + "}\r\n");
        }

        /** Waits until the client closes its side, ignoring whatever it still sends. */
        void awaitClientClose() throws IOException {
            while (in.readLine() != null) { }
        }

        /** Closes the connection (EOF for the client). */
        void hangUp() throws IOException {
            channel.close();
        }
    }

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    FakeQmpServer(Script script) throws IOException {
        dir = Files.createTempDirectory("memvirt-fake-qmp-");
        socket = dir.resolve("qmp.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("fake-qmp").start(() -> {
            try (SocketChannel c = server.accept()) {
                script.play(new Peer(c));
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
    }

    Path socket() {
        return socket;
    }

    @Override
    public void close() throws Exception {
        try {
            done.get(10, TimeUnit.SECONDS);
        } finally {
            server.close();
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }
}
