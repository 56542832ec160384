package io.relais.bench.scenario;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scenarios, each with identical semantics on every system (see {@code bench/README.md}): what is
 * declared, how many producers and consumers, message size, persistence, confirms, acknowledgements and
 * rate. Each warms up, then measures; every measurement also records how the backlog moved, which decides
 * whether it was steady ({@link Steadiness}). Stateless constants; {@link #run} is called from one thread.
 */
enum Scenario {
    /** Non-persistent, 1 producer, 1 consumer, 100 bytes, as fast as it goes, automatic ack. */
    TRANSIENT("transient") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareQueue("transient", false);
            run.role("consume,transient,0");
            run.role("flat," + toQueue("transient", 0) + ",100,false");
        }
    },
    /** Persistent to a durable queue, up to 1,000 unconfirmed, manual acks with prefetch 500, 100 bytes. */
    DURABLE("durable") {
        @Override
        void setUp(Run run) throws Exception {
            durable(run, "durable", 100);
        }
    },
    /** {@link #DURABLE} with 1 KB messages. */
    DURABLE_1K("durable-1k") {
        @Override
        void setUp(Run run) throws Exception {
            durable(run, "durable-1k", 1024);
        }
    },
    /** {@link #DURABLE} with 64 KB messages. */
    DURABLE_64K("durable-64k") {
        @Override
        void setUp(Run run) throws Exception {
            durable(run, "durable-64k", 64 * 1024);
        }
    },
    /** 1 producer, 10 subscribers bound with wildcard patterns on a topic exchange, 100 bytes, non-persistent. */
    FANOUT("fanout") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareTopicExchange("fanout");
            for (String p : FANOUT_PATTERNS) {
                run.role("subscribe,fanout," + p);
            }
            run.role("flat,x:fanout:" + FANOUT_KEY + ",100,false");
        }

        @Override
        int deliveriesPerMessage() {
            return FANOUT_PATTERNS.size();
        }
    },
    /** {@link #DURABLE} paced at 5,000 messages per second: end-to-end and confirm latency. */
    LATENCY("latency") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareQueue("latency", true);
            run.role("consume,latency,500");
            run.role("paced," + toQueue("latency", 1000) + ",100,true," + LATENCY_RATE);
        }
    },
    /** Many connections (1,000 by default) each publishing one 100-byte message a second; one consumer. */
    CONNECTIONS("connections") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareQueue("connections", false);
            run.role("consume,connections,0");
            run.role("conns,connections," + run.options.connections());
        }
    },
    /**
     * {@link #DURABLE} at rising fixed rates ({@link BenchOptions#rates()}), a step of {@code --duration}
     * each, until a step is not sustained ({@link RateStep}); reports the highest rate sustained.
     */
    MAX_RATE("max-rate") {
        @Override
        void setUp(Run run) throws Exception {
            run.system.declareQueue("max-rate", true);
            run.role("consume,max-rate,500");
            run.role("paced," + toQueue("max-rate", 1000) + ",100,true," + run.options.rates().get(0));
        }

        @Override
        Result measure(Run run) throws Exception {
            List<RateStep> steps = new ArrayList<>();
            boolean first = true;
            for (long rate : run.options.rates()) {
                run.rate(rate);
                // The first step warms up; later ones settle for a second at their new rate.
                sleep(first ? run.options.warmupSeconds() : Math.min(1.0, run.options.warmupSeconds()));
                first = false;
                long before = run.resetAndBacklog();
                long start = System.nanoTime();
                sleep(run.options.seconds());
                Stats stats = run.collect();
                double elapsed = (System.nanoTime() - start) / 1e9;
                long growth = run.backlogAtEnd() - before;
                long sent = stats.sent.sum();
                RateStep step = RateStep.of(rate, sent / elapsed, stats.received.sum() / elapsed,
                        stats.latency.percentile(0.99), growth, Steadiness.steady(growth, stats.received.sum(), sent));
                steps.add(step);
                run.progress(String.format(Locale.ROOT, "  %,d/s: received %,.0f/s, p99 %,d us, backlog %+,d: %s",
                        rate, step.receivedPerS(), step.p99Us(), growth, step.sustained() ? "sustained" : "not"));
                if (!step.sustained()) {
                    break;
                }
            }
            return Result.maxRate(id(), run.system.name(), steps);
        }
    };

    /** The fanout scenario's binding patterns, all matching {@link #FANOUT_KEY}. */
    static final List<String> FANOUT_PATTERNS = List.of("fan.#", "fan.*", "#", "*.eu", "fan.eu", "#.eu", "*.*",
            "fan.#.eu", "#.#", "*.#");
    /** The routing key of the fanout scenario's messages. */
    static final String FANOUT_KEY = "fan.eu";
    /** The latency scenario's rate, messages per second. */
    static final int LATENCY_RATE = 5000;
    /** The default steps of the max-rate scenario. */
    static final List<Long> DEFAULT_RATES = List.of(5_000L, 10_000L, 20_000L, 40_000L, 80_000L, 160_000L,
            320_000L, 640_000L, 1_280_000L);

    private final String id;

    Scenario(String id) {
        this.id = id;
    }

    /** The name used on the command line and in results. */
    String id() {
        return id;
    }

    /** Declares and names the roles of its producers and consumers ({@link Clients}). */
    abstract void setUp(Run run) throws Exception;

    /** How many deliveries one message should make (the queues it reaches). */
    int deliveriesPerMessage() {
        return 1;
    }

    static String toQueue(String queue, int maxUnconfirmed) {
        return "q:" + queue + ":" + maxUnconfirmed;
    }

    static void durable(Run run, String queue, int size) throws Exception {
        run.system.declareQueue(queue, true);
        run.role("consume," + queue + ",500");
        run.role("flat," + toQueue(queue, 1000) + "," + size + ",true");
    }

    /** The scenario named {@code id}. */
    static Scenario byId(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "'; known: " + ids());
    }

    static String ids() {
        List<String> ids = new ArrayList<>();
        for (Scenario s : values()) {
            ids.add(s.id);
        }
        return String.join(", ", ids);
    }

    /**
     * Runs this scenario on {@code system}: set up, start the clients (in this process or in client processes
     * that reach the system at {@code server}), warm up, measure, tear down.
     */
    Result run(MessagingSystem system, String server, BenchOptions options, Progress progress) {
        Run run = new Run(system, server, options, options.clientProcs(), progress);
        try {
            setUp(run);
            run.launch();
            Result result = measure(run);
            Exception failure = run.failure();
            run.stop();
            return failure != null ? Result.failed(id, system.name(), failure) : result;
        } catch (Exception e) {
            run.stop();
            return Result.failed(id, system.name(), e);
        }
    }

    /** Warms up, then measures once. */
    Result measure(Run run) throws Exception {
        sleep(run.options.warmupSeconds());
        long before = run.resetAndBacklog();
        long start = System.nanoTime();
        sleep(run.options.seconds());
        Stats stats = run.collect();
        // The window ends with the counts, not with the broker's answer to the backlog probe after them.
        double elapsed = (System.nanoTime() - start) / 1e9;
        long growth = run.backlogAtEnd() - before;
        return Result.of(id, run.system.name(), stats, elapsed, growth, deliveriesPerMessage());
    }

    static void sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    /** Where a scenario says how it is going. */
    interface Progress {
        void line(String text);
    }

    /**
     * The moving parts of one run: its roles, started in this process ({@code clientProcs} 0) or spread over
     * client processes, consumers and producers never in the same one when there are two or more; the stats
     * and backlog gathered from all of them. Used by one thread.
     */
    static final class Run {
        final MessagingSystem system;
        final BenchOptions options;
        private final String server;
        private final int clientProcs;
        private final Progress progress;
        private final Stats local = new Stats();
        private final Clients clients;
        private final List<String> consumerRoles = new ArrayList<>();
        private final List<String> producerRoles = new ArrayList<>();
        private final List<ClientProcess> children = new ArrayList<>();
        private long childBacklog;

        Run(MessagingSystem system, String server, BenchOptions options, int clientProcs, Progress progress) {
            this.system = system;
            this.server = server;
            this.options = options;
            this.clientProcs = clientProcs;
            this.progress = progress;
            this.clients = new Clients(system, local);
        }

        void progress(String line) {
            progress.line(line);
        }

        /** Adds a producer or consumer ({@link Clients} role). */
        void role(String role) throws Exception {
            if (clientProcs == 0) {
                clients.start(role);
            } else if (Clients.isConsumer(role)) {
                consumerRoles.add(role);
            } else {
                producerRoles.add(role);
            }
        }

        /** Starts the client processes: consumers first, so that nothing is sent before they listen. */
        void launch() throws IOException {
            if (clientProcs == 0) {
                return;
            }
            if (clientProcs == 1) {
                List<String> all = new ArrayList<>(consumerRoles);
                all.addAll(producerRoles);
                children.add(ClientProcess.start(system.name(), server, all));
                return;
            }
            int consumerProcs = Math.max(1, clientProcs / 2);
            spread(consumerRoles, consumerProcs);
            spread(producerRoles, clientProcs - consumerProcs);
        }

        private void spread(List<String> roles, int procs) throws IOException {
            List<List<String>> parts = new ArrayList<>();
            for (int i = 0; i < Math.min(procs, roles.size()); i++) {
                parts.add(new ArrayList<>());
            }
            for (int i = 0; i < roles.size(); i++) {
                parts.get(i % parts.size()).add(roles.get(i));
            }
            for (List<String> part : parts) {
                children.add(ClientProcess.start(system.name(), server, part));
            }
        }

        void rate(long perSecond) throws IOException {
            clients.rate(perSecond);
            for (ClientProcess c : children) {
                c.rate(perSecond);
            }
        }

        /** Zeroes every count and returns the backlog now. */
        long resetAndBacklog() throws Exception {
            local.reset();
            long n = system.backlog() + system.clientBacklog();
            for (ClientProcess c : children) {
                n += c.reset();
            }
            return n;
        }

        /** The counts of this process and every client process, added up. */
        Stats collect() throws IOException {
            Stats all = new Stats();
            all.add(local.encode().split(" "), 0);
            childBacklog = 0;
            for (ClientProcess c : children) {
                childBacklog += c.report(all);
            }
            return all;
        }

        /** The backlog after {@link #collect}. */
        long backlogAtEnd() throws Exception {
            return system.backlog() + system.clientBacklog() + childBacklog;
        }

        Exception failure() {
            return clients.failure();
        }

        void stop() {
            for (ClientProcess c : children) {
                c.close();
            }
            clients.close();
        }
    }
}
