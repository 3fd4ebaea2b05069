package io.protoloop.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Registered for every test
 * through {@code META-INF/services} and JUnit's extension auto-detection (root pom).
 *
 * <p>Leaks are only noticed when a leaked buffer has been collected and a later allocation polls
 * the detector's queue, so this forces a collection and a few allocations first.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            List<ByteBuf> probes = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                probes.add(ByteBufAllocator.DEFAULT.directBuffer(16));
                probes.add(ByteBufAllocator.DEFAULT.heapBuffer(16));
            }
            probes.forEach(ByteBuf::release);
        }
        if (!LeakFailingDetector.LEAKS.isEmpty()) {
            List<String> leaks = new ArrayList<>(LeakFailingDetector.LEAKS);
            LeakFailingDetector.LEAKS.clear();
            fail("Netty reported " + leaks.size() + " buffer leak(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n", leaks));
        }
    }
}
