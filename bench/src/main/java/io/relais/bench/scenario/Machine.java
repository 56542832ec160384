package io.relais.bench.scenario;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The machine a run happened on, for the report: CPU model and count, memory, OS, Java, and the RabbitMQ
 * and NATS versions when they took part. Immutable; thread-safe.
 */
record Machine(String cpu, int cores, long memoryMiB, String os, String java, String rabbitmq, String nats) {

    static Machine here(String rabbitmqVersion, String natsVersion) {
        String cpu = "unknown";
        try {
            Optional<String> model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst();
            if (model.isPresent()) {
                cpu = model.get().substring(model.get().indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            cpu = System.getProperty("os.arch");
        }
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize() >> 20;
        }
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), rabbitmqVersion,
                natsVersion);
    }

    String describe() {
        return cores + " cores (" + cpu + "), " + memoryMiB + " MiB, " + os + ", " + java
                + (rabbitmq == null ? "" : ", RabbitMQ " + rabbitmq) + (nats == null ? "" : ", nats-server " + nats);
    }
}
