package io.eventgate.ctl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventgate.avro.CommandAction;
import io.eventgate.avro.CommandRejection;
import io.eventgate.avro.PolicyCommand;
import io.eventgate.avro.PolicyEntity;
import io.eventgate.policy.control.CommandValidator;
import io.eventgate.policy.control.EntityState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./gateway ctl}: the operator's tool for the control topic. */
@Command(name = "ctl", mixinStandardHelpOptions = true, subcommands = {Ctl.Apply.class, Ctl.Import.class, Ctl.Lint.class, Ctl.Get.class, Ctl.Tail.class, Ctl.Replay.class, Ctl.Rejections.class, Ctl.Nodes.class, Ctl.Limit.class, Ctl.Canary.class, Ctl.Cache.class,
            picocli.AutoComplete.GenerateCompletion.class},
        description = "Operate eventgate through its control topic.")
public final class Ctl {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Kafka (default: ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Option(names = "--registry", defaultValue = "http://127.0.0.1:8081", description = "schema registry (default: ${DEFAULT-VALUE})")
    String registry;

    @Option(names = "--topic-prefix", defaultValue = "gateway.", description = "topic prefix (default: ${DEFAULT-VALUE})")
    String topicPrefix;

    @Spec
    CommandLine.Model.CommandSpec spec;

    ClusterAccess cluster() {
        return new ClusterAccess(bootstrapServers, registry, topicPrefix);
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new Ctl());
        line.setOut(out);
        line.setErr(err);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            cmd.getErr().println("error: " + e.getMessage() + (root != e ? " (" + root.getMessage() + ")" : ""));
            return 2;
        });
        return line.execute(args);
    }

    /** Applies a policy file: shows the diff against the policies in force, then sends the changes and reports each outcome. */
    @Command(name = "apply", description = "Apply the pools and routes of a policy file.")
    static final class Apply implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Option(names = {"-f", "--file"}, required = true, description = "policy file (YAML: pools, plans, routes, consumers, global, detectors)")
        Path file;

        @Option(names = "--dry-run", description = "validate and show the diff; change nothing")
        boolean dryRun;

        @Option(names = "--timeout", defaultValue = "30s", description = "how long to wait for the outcome (default: ${DEFAULT-VALUE})")
        String timeout;

        @Override
        public Integer call() throws Exception {
            return apply(ctl, PolicyFile.read(file), dryRun, io.eventgate.settings.DurationText.parse(timeout));
        }

        /** Shows the diff of {@code desired} against the policies in force, then sends the changes (or, dry, validates them here). */
        static int apply(Ctl ctl, List<PolicyFile.Entity> desired, boolean dryRun, Duration timeout) throws Exception {
            PrintWriter out = ctl.spec.commandLine().getOut();
            ClusterAccess cluster = ctl.cluster();
            Map<String, PolicyEntity> current = cluster.policies();
            List<PolicyCommand> changes = new ArrayList<>();
            Map<PolicyCommand, String> keys = new HashMap<>();
            for (PolicyFile.Entity entity : desired) {
                PolicyEntity existing = current.get(entity.key());
                String mark = existing == null ? "+" : JSON.readTree(existing.getSpec()).equals(entity.spec()) ? "=" : "~";
                out.println(mark + " " + entity.key() + (mark.equals("=") ? " (unchanged)" : mark.equals("+") ? " (new)" : " (changed)"));
                if (!mark.equals("=")) {
                    PolicyCommand command = command(CommandAction.UPSERT, entity.type(), entity.id(), entity.spec().toString());
                    changes.add(command);
                    keys.put(command, entity.key());
                }
            }
            if (dryRun) {
                // as policy-streams sees it: the edges' static entities, overridden by the control topic's
                Map<String, PolicyEntity> inForce = new LinkedHashMap<>(io.eventgate.schemas.DeclaredEntities.of(cluster.nodeConfigs()));
                inForce.putAll(current);
                return validateLocally(out, changes, keys, inForce);
            }
            if (changes.isEmpty()) {
                out.println("nothing to change");
                return 0;
            }
            cluster.send(changes, keys);
            return awaitOutcome(out, cluster, changes, timeout);
        }

        private static int validateLocally(PrintWriter out, List<PolicyCommand> changes, Map<PolicyCommand, String> keys, Map<String, PolicyEntity> current) {
            Map<String, PolicyEntity> state = new LinkedHashMap<>(current);
            EntityState view = new EntityState() {
                @Override
                public Optional<PolicyEntity> get(String entityKey) {
                    return Optional.ofNullable(state.get(entityKey));
                }

                @Override
                public List<PolicyEntity> withPrefix(String prefix) {
                    return state.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).toList();
                }
            };
            int rejected = 0;
            for (PolicyCommand command : changes) {
                CommandValidator.Verdict verdict = new CommandValidator().validate(keys.get(command), command, view, 0);
                if (verdict instanceof CommandValidator.Accepted accepted) {
                    state.put(accepted.entityKey(), accepted.entity());
                    out.println("  would accept " + accepted.entityKey());
                } else {
                    rejected++;
                    printRejection(out, ((CommandValidator.Rejected) verdict).rejection());
                }
            }
            out.println("dry run: nothing was sent");
            return rejected == 0 ? 0 : 1;
        }
    }

    /** Lists the entities of one kind in force, or the directives on gateway.limits. */
    @Command(name = "get", description = "List the routes, pools, plans, consumers or global policy in force (from the control topic and "
            + "the edge nodes' own configuration, with source, version and the nodes applying each), or the limits.")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Parameters(index = "0", description = "routes | pools | plans | consumers | global | limits")
        String what;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = ctl.spec.commandLine().getOut();
            if (what.equals("limits")) {
                out.println("scope\tkind\tvalue\tsource\texpires\treason");
                ctl.cluster().limits().values().forEach(d -> out.printf("%s\t%s\t%s\t%s\t%s\t%s%n", d.getScope(), d.getKind(),
                        d.getValue() == null ? "-" : d.getValue(), d.getSource(), d.getExpiresAt() == null ? "never" : d.getExpiresAt(), d.getReason()));
                return 0;
            }
            String prefix = switch (what) {
                case "routes" -> "route:";
                case "pools" -> "pool:";
                case "plans" -> "plan:";
                case "consumers" -> "consumer:";
                case "global" -> "global:";
                case "webhooks" -> "webhook:";
                default -> throw new IllegalArgumentException("unknown kind '" + what + "': expected routes, pools, plans, consumers, global, webhooks or limits");
            };
            ClusterAccess cluster = ctl.cluster();
            // three compacted topics, each read to its end by one consumer: the latest heartbeats are enough to know who applies what
            Map<String, PolicyEntity> policies = new LinkedHashMap<>();
            Map<String, io.eventgate.avro.NodeConfig> declared = new java.util.TreeMap<>();
            Map<String, io.eventgate.avro.NodeHeartbeat> heartbeats = new java.util.TreeMap<>();
            cluster.readToEnd(List.of(cluster.latest(io.eventgate.schemas.Topic.POLICIES, policies, io.eventgate.schemas.follow.TopicFollower.FROM_BEGINNING),
                    cluster.latest(io.eventgate.schemas.Topic.NODE_CONFIG, declared, io.eventgate.schemas.follow.TopicFollower.FROM_BEGINNING),
                    cluster.latest(io.eventgate.schemas.Topic.NODES, heartbeats, 100)));
            out.println("id\tsource\tversion\tnodes\tspec");
            for (InForce entity : InForce.of(policies, declared, heartbeats)) {
                if (entity.key().startsWith(prefix)) {
                    out.println(entity.id() + "\t" + entity.source() + "\t" + entity.version() + "\t" + String.join(",", entity.nodes()) + "\t"
                            + JSON.readTree(entity.spec()));
                }
            }
            return 0;
        }
    }

    /** Follows the requests, decisions or anomalies as they arrive, decoded, filtered, as a table or JSON lines. */
    @Command(name = "tail", description = "Follow requests, decisions, anomalies or mirror differences live, decoded.")
    static final class Tail implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Parameters(index = "0", description = "requests | decisions | anomalies | mirror-diffs")
        String what;

        @Option(names = "--route", description = "only this route's")
        String route;

        @Option(names = "--consumer", description = "only this consumer's")
        String consumer;

        @Option(names = "--status", description = "requests only: a status (404) or a class (5xx)")
        String status;

        @Option(names = "--json", description = "one JSON object per line instead of a table")
        boolean json;

        @Option(names = "--limit", description = "stop after this many")
        Long limit;

        @Option(names = "--from-beginning", description = "start at the topic's beginning, not its end")
        boolean fromBeginning;

        @Override
        public Integer call() {
            PrintWriter out = ctl.spec.commandLine().getOut();
            if (status != null && !what.equals("requests")) {
                throw new IllegalArgumentException("--status filters requests only");
            }
            TailFilter filter = TailFilter.of(route, consumer, status);
            switch (what) {
                case "requests" -> this.<io.eventgate.avro.RequestEvent>show(out, io.eventgate.schemas.Topic.REQUESTS,
                        "time\tnode\troute\tconsumer\tmethod\tpath\tstatus\tms\toutcome",
                        e -> filter.accepts(e.getRouteId(), e.getConsumerId(), e.getStatus()),
                        e -> e.getTimestamp() + "\t" + e.getNode() + "\t" + dash(e.getRouteId()) + "\t" + dash(e.getConsumerId()) + "\t"
                                + e.getMethod() + "\t" + e.getPath() + "\t" + dash(e.getStatus()) + "\t"
                                + String.format("%.1f", e.getGatewayLatencyMicros() / 1000.0) + "\t" + e.getOutcome());
                case "decisions" -> this.<io.eventgate.avro.DecisionEvent>show(out, io.eventgate.schemas.Topic.DECISIONS,
                        "time\tnode\tkind\troute\tconsumer\tpolicy\treason",
                        e -> filter.accepts(e.getRouteId(), e.getConsumerId(), null),
                        e -> e.getTimestamp() + "\t" + e.getNode() + "\t" + e.getKind() + "\t" + dash(e.getRouteId()) + "\t"
                                + dash(e.getConsumerId()) + "\t" + e.getPolicy() + "\t" + e.getReason());
                case "anomalies" -> this.<io.eventgate.avro.AnomalyEvent>show(out, io.eventgate.schemas.Topic.ANOMALIES,
                        "detected\tkind\tscope\tscore\taction\texplanation",
                        e -> filter.acceptsScope(e.getScope()),
                        e -> e.getDetectedAt() + "\t" + e.getKind() + "\t" + e.getScope() + "\t" + String.format("%.1f", e.getScore()) + "\t"
                                + e.getAction() + "\t" + e.getExplanation());
                case "mirror-diffs" -> this.<io.eventgate.avro.MirrorDiff>show(out, io.eventgate.schemas.Topic.MIRROR_DIFFS,
                        "time\tnode\troute\tmethod\tpath\tprimary\tshadow\tdifferences",
                        e -> filter.accepts(e.getRouteId(), null, null),
                        e -> e.getTimestamp() + "\t" + e.getNode() + "\t" + e.getRouteId() + "\t" + e.getMethod() + "\t" + e.getPath() + "\t"
                                + e.getPrimaryPool() + " " + e.getPrimaryStatus() + "\t" + e.getShadowPool() + " " + e.getShadowStatus() + "\t"
                                + e.getDifferences().stream().map(io.eventgate.avro.MirrorDifference::getField).collect(java.util.stream.Collectors.joining(",")));
                default -> throw new IllegalArgumentException("unknown stream '" + what + "': expected requests, decisions, anomalies or mirror-diffs");
            }
            return 0;
        }

        /** Prints the accepted events of {@code topic} as rows under {@code columns}, or as JSON lines, until {@code --limit}. */
        private <E extends org.apache.avro.specific.SpecificRecord> void show(PrintWriter out, io.eventgate.schemas.Topic topic, String columns,
                                                                             java.util.function.Predicate<E> accepted, java.util.function.Function<E, String> row) {
            if (!json) {
                out.println(columns);
            }
            long[] left = {limit == null ? Long.MAX_VALUE : limit};
            ctl.cluster().<E>follow(topic, fromBeginning, event -> {
                if (!accepted.test(event)) {
                    return true;
                }
                out.println(json ? event.toString().replace("\n", " ") : row.apply(event)); // Avro renders a record as one JSON object
                out.flush();
                return --left[0] > 0;
            });
        }

        private static String dash(Object value) {
            return value == null ? "-" : value.toString();
        }
    }

    /** Prints the rejected commands, and with --follow keeps printing new ones. */
    /** Imports an API: its OpenAPI document's paths become routes, applied through the control topic like a policy file. */
    @Command(name = "import", description = "Turn an API description into routes and apply them.", subcommands = {Import.OpenApi.class})
    static final class Import {
        @ParentCommand
        Ctl ctl;

        @Command(name = "openapi", description = "One route per path and its methods, to one pool, checked against the document; "
                + "x-eventgate-* extensions set auth, groups, rate limit, cache, owner and tags. Shows the diff, then applies.")
        static final class OpenApi implements Callable<Integer> {
            @ParentCommand
            Import parent;

            @Parameters(index = "0", description = "the OpenAPI 3.0 or 3.1 document (the edges read it at this path too, to check requests)")
            Path document;

            @Option(names = "--upstream", required = true, description = "the pool every route sends to")
            String pool;

            @Option(names = "--prefix", description = "a path prefix the routes match under and strip before the upstream, e.g. /shop")
            String prefix;

            @Option(names = "--dry-run", description = "validate and show the diff; change nothing")
            boolean dryRun;

            @Option(names = "--print", description = "print the routes as a policy file instead of applying them")
            boolean print;

            @Option(names = "--timeout", defaultValue = "60s", description = "how long to wait for the outcome (default: ${DEFAULT-VALUE})")
            String timeout;

            @Override
            public Integer call() throws Exception {
                List<PolicyFile.Entity> routes = OpenApiImport.routes(document, pool, prefix);
                PrintWriter out = parent.ctl.spec.commandLine().getOut();
                if (print) {
                    out.print(new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                            .writeValueAsString(OpenApiImport.asYaml(routes)));
                    out.flush();
                    return 0;
                }
                parent.ctl.spec.commandLine().getErr().printf("%s: %d routes for pool %s%n", document, routes.size(), pool);
                return Apply.apply(parent.ctl, routes, dryRun, io.eventgate.settings.DurationText.parse(timeout));
            }
        }
    }

    /** Checks a policy file offline: what policy-streams would refuse, the governance rules, the OpenAPI documents. */
    @Command(name = "lint", description = "Check a policy file offline against the entities' checks, the governance rules of its global policy "
            + "and the OpenAPI documents its routes name; exit 1 with the findings.")
    static final class Lint implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Option(names = {"-f", "--file"}, required = true, description = "policy file (YAML: pools, plans, routes, consumers, global, detectors)")
        Path file;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = ctl.spec.commandLine().getOut();
            List<PolicyFile.Entity> entities = PolicyFile.read(file);
            List<String> findings = io.eventgate.ctl.Lint.check(entities);
            findings.forEach(out::println);
            out.println(findings.isEmpty() ? file + ": " + entities.size() + " entities, no findings" : file + ": " + findings.size() + " findings");
            return findings.isEmpty() ? 0 : 1;
        }
    }

    /** Re-sends a route's captured requests to another environment and compares the answers with the originals. */
    @Command(name = "replay", description = "Re-send a route's captured requests (gateway.captures) to another environment, at a fixed rate, "
            + "and report status and latency differences against the originals.")
    static final class Replay implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Option(names = "--route", required = true, description = "the route whose captures to replay")
        String route;

        @Option(names = "--from", defaultValue = "1h", description = "captures taken from this time: an instant (2026-12-01T10:00:00Z) or how long ago (15m) "
                + "(default: ${DEFAULT-VALUE})")
        String from;

        @Option(names = "--to", description = "... until this time, in the same forms (default: now)")
        String to;

        @Option(names = "--target", required = true, description = "where to send them, e.g. http://stage-gateway:8080")
        java.net.URI target;

        @Option(names = "--rate", defaultValue = "10", description = "requests per second (default: ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--concurrency", defaultValue = "16", description = "requests in flight at most (default: ${DEFAULT-VALUE})")
        int concurrency;

        @Option(names = {"-H", "--header"}, description = "a header to add, 'Name: value' (repeatable): credentials of the target, as captures hold none")
        List<String> headers = new ArrayList<>();

        @Option(names = "--limit", defaultValue = "1000", description = "replay at most this many, the oldest first (default: ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--timeout", defaultValue = "30s", description = "how long one request may take (default: ${DEFAULT-VALUE})")
        String timeout;

        @Option(names = "--fail-on-difference", description = "exit with 1 when any status differs from the original's")
        boolean failOnDifference;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = ctl.spec.commandLine().getOut();
            PrintWriter err = ctl.spec.commandLine().getErr();
            Instant now = Instant.now();
            Instant start = instant(from, now);
            Instant end = to == null ? now : instant(to, now);
            Map<String, String> extra = new LinkedHashMap<>();
            for (String header : headers) {
                int colon = header.indexOf(':');
                if (colon < 1) {
                    throw new CommandLine.ParameterException(ctl.spec.commandLine(), "--header must be 'Name: value', was '" + header + "'");
                }
                extra.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
            }
            Replayer replay = new Replayer(target, rate, concurrency, io.eventgate.settings.DurationText.parse(timeout), extra);
            err.printf("reading the captures of route %s from %s to %s...%n", route, start, end);
            err.flush();
            List<io.eventgate.avro.RequestCapture> captures = ctl.cluster().captures(route, start, end, limit);
            if (captures.isEmpty()) {
                out.println("no captures of route " + route + " between " + start + " and " + end
                        + " (does the route have a capture policy, and is the window within the topic's one-day retention?)");
                return 1;
            }
            int complete = (int) captures.stream().filter(io.eventgate.avro.RequestCapture::getBodyComplete).count();
            err.printf("replaying %d captures to %s at %s/s%n", complete, target, rate);
            Progress progress = new Progress(err, complete);
            Replayer.Report report = replay.run(captures, progress::done);
            progress.finish();
            Replayer.print(out, report, 20);
            boolean failed = !report.failed().isEmpty() || failOnDifference && !report.differing().isEmpty();
            return failed ? 1 : 0;
        }

        /** An instant, or a duration meaning that long before {@code now}. */
        private Instant instant(String text, Instant now) {
            try {
                return Instant.parse(text);
            } catch (java.time.format.DateTimeParseException notAnInstant) {
                try {
                    return now.minus(io.eventgate.settings.DurationText.parse(text));
                } catch (IllegalArgumentException notADuration) {
                    throw new CommandLine.ParameterException(ctl.spec.commandLine(),
                            "'" + text + "' is neither an instant (2026-12-01T10:00:00Z) nor a duration (15m)");
                }
            }
        }
    }

    /**
     * Progress of a long operation on the error stream: a line rewritten in place on a terminal, otherwise a line at
     * every tenth of the work, so that logs of scripted runs stay short.
     */
    static final class Progress {
        private final PrintWriter err;
        private final int total;
        private final boolean terminal = System.console() != null;
        private int shownTenth = -1;
        private long shownAt;

        Progress(PrintWriter err, int total) {
            this.err = err;
            this.total = total;
        }

        synchronized void done(int count) {
            int tenth = total == 0 ? 10 : count * 10 / total;
            long now = System.nanoTime();
            if (terminal ? now - shownAt > 200_000_000L || count == total : tenth > shownTenth) {
                shownTenth = tenth;
                shownAt = now;
                err.printf(terminal ? "\r%d/%d (%d %%)" : "%d/%d (%d %%)%n", count, total, total == 0 ? 100 : count * 100 / total);
                err.flush();
            }
        }

        void finish() {
            if (terminal) {
                err.println();
            }
            err.flush();
        }
    }

    @Command(name = "rejections", description = "Show rejected commands.")
    static final class Rejections implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Option(names = "--follow", description = "keep printing new rejections")
        boolean follow;

        @Override
        public Integer call() {
            PrintWriter out = ctl.spec.commandLine().getOut();
            ctl.cluster().rejections(follow, rejection -> printRejection(out, rejection));
            return 0;
        }
    }

    /** Each edge node's last heartbeat: the policy version it applies, readiness, load. */
    @Command(name = "nodes", description = "Show every edge node's applied policy version, readiness and load.")
    static final class Nodes implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Override
        public Integer call() {
            PrintWriter out = ctl.spec.commandLine().getOut();
            Map<String, io.eventgate.avro.NodeHeartbeat> nodes = ctl.cluster().nodes();
            out.println("node\tpolicy version\tready\treq/s\tin flight\tlast heartbeat");
            nodes.values().forEach(n -> out.printf("%s\t%d\t%s\t%.1f\t%d\t%s%n", n.getNodeId(), n.getAppliedPolicyVersion(), n.getReady(),
                    n.getRequestsPerSecond(), n.getInFlight(), n.getSentAt()));
            return 0;
        }
    }

    /** Emergency limits through the control topic: a rate cap or a block on one scope, always with an expiry. */
    @Command(name = "limit", description = "Set, block or clear an emergency limit on consumer:ID, route:ID or client:IP.",
            subcommands = {Limit.Set.class, Limit.Block.class, Limit.Clear.class})
    static final class Limit {
        @ParentCommand
        Ctl ctl;

        /** What every emergency limit names: its scope, how long it lasts, and why. */
        static final class Target {
            @Parameters(index = "0", description = "scope: consumer:ID, route:ID or client:IP")
            String scope;
            @Option(names = "--for", required = true, description = "how long, e.g. 10m")
            String duration;
            @Option(names = "--reason", required = true, description = "why, for the DecisionEvents and the other operators")
            String reason;

            com.fasterxml.jackson.databind.node.ObjectNode spec(String kind) {
                return JSON.createObjectNode().put("kind", kind).put("reason", reason)
                        .put("expiresAt", Instant.now().plus(io.eventgate.settings.DurationText.parse(duration)).toString());
            }
        }

        @Command(name = "set", description = "Cap a scope's request rate until the limit expires.")
        static final class Set implements Callable<Integer> {
            @ParentCommand
            Limit limit;
            @CommandLine.Mixin
            Target target;
            @Option(names = "--rate", required = true, description = "requests per second")
            double rate;
            @Option(names = "--burst", description = "burst (default: the rate)")
            Double burst;
            @Option(names = "--global", description = "for consumer:ID: the rate holds for all edge nodes together")
            boolean global;

            @Override
            public Integer call() throws Exception {
                var spec = target.spec("OPERATOR_LIMIT").put("ratePerSecond", rate).put("global", global);
                if (burst != null) {
                    spec.put("burst", burst);
                }
                return limit.ctl.sendAndAwait(CommandAction.UPSERT, target.scope, spec.toString());
            }
        }

        @Command(name = "block", description = "Refuse every request of a scope until the block expires.")
        static final class Block implements Callable<Integer> {
            @ParentCommand
            Limit limit;
            @CommandLine.Mixin
            Target target;

            @Override
            public Integer call() throws Exception {
                return limit.ctl.sendAndAwait(CommandAction.UPSERT, target.scope, target.spec("BLOCK").toString());
            }
        }

        @Command(name = "clear", description = "Lift the operators' emergency limit of a scope (quota states and the anomaly detector's directives on it stay).")
        static final class Clear implements Callable<Integer> {
            @ParentCommand
            Limit limit;
            @Parameters(index = "0", description = "scope: consumer:ID, route:ID or client:IP")
            String scope;

            @Override
            public Integer call() throws Exception {
                return limit.ctl.sendAndAwait(CommandAction.DELETE, scope, null);
            }
        }
    }

    /** Canaries the anomaly detector rolled back, through the control topic. */
    @Command(name = "canary", description = "Restore a variant of a weighted split that the anomaly detector rolled back.",
            subcommands = {Canary.Restore.class})
    static final class Canary {
        @ParentCommand
        Ctl ctl;

        @Command(name = "restore", description = "Give a rolled-back variant its weight again: lifts the detector's ROLLBACK directive (see get limits).")
        static final class Restore implements Callable<Integer> {
            @ParentCommand
            Canary canary;
            @Parameters(index = "0", description = "the route id")
            String route;
            @Parameters(index = "1", description = "the variant: the destination pool that was rolled back")
            String variant;
            @Option(names = "--reason", required = true, description = "why it may take traffic again, for the other operators")
            String reason;

            @Override
            public Integer call() throws Exception {
                return canary.ctl.sendAndAwait(CommandAction.UPSERT, "route:" + route + "@variant:" + variant,
                        JSON.createObjectNode().put("kind", "RESTORE").put("reason", reason).toString());
            }
        }
    }

    /** The edges' response caches, through the control topic. */
    @Command(name = "cache", description = "Purge cached answers on every edge node.", subcommands = {Cache.Purge.class})
    static final class Cache {
        @ParentCommand
        Ctl ctl;

        @Command(name = "purge", description = "Drop the cached answers of a route, under a key prefix ('GET host/path'), or with a surrogate key.")
        static final class Purge implements Callable<Integer> {
            @ParentCommand
            Cache cache;
            @Option(names = "--route", description = "every answer of this route")
            String route;
            @Option(names = "--key", description = "answers whose key starts with this, e.g. 'GET api.example.com/products/'")
            String key;
            @Option(names = "--tag", description = "answers the upstream tagged so (Surrogate-Key or Cache-Tag)")
            String tag;

            @Override
            public Integer call() throws Exception {
                var spec = JSON.createObjectNode();
                if (route != null) {
                    spec.put("route", route);
                }
                if (key != null) {
                    spec.put("key", key);
                }
                if (tag != null) {
                    spec.put("tag", tag);
                }
                String id = UUID.randomUUID().toString();
                PolicyCommand command = command(CommandAction.UPSERT, io.eventgate.avro.EntityType.CACHE_PURGE, id, spec.toString());
                ClusterAccess cluster = cache.ctl.cluster();
                cluster.send(List.of(command), Map.of(command, "purge:" + id));
                return awaitOutcome(cache.ctl.spec.commandLine().getOut(), cluster, List.of(command), Duration.ofSeconds(30));
            }
        }
    }

    int sendAndAwait(CommandAction action, String scope, String spec) throws InterruptedException {
        PolicyCommand command = command(action, io.eventgate.avro.EntityType.LIMIT, scope, spec);
        ClusterAccess cluster = cluster();
        cluster.send(List.of(command), Map.of(command, "limit:" + scope));
        return awaitOutcome(this.spec.commandLine().getOut(), cluster, List.of(command), Duration.ofSeconds(30));
    }

    /** A command from this operator, with a fresh id. */
    static PolicyCommand command(CommandAction action, io.eventgate.avro.EntityType type, String entityId, String spec) {
        return PolicyCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setIssuedAt(Instant.now())
                .setIssuedBy("ctl:" + System.getProperty("user.name", "operator")).setAction(action)
                .setEntityType(type).setEntityId(entityId).setSpec(spec).build();
    }

    /** Waits (bounded) until each command is applied or rejected, printing each outcome; 0 when all were applied. */
    static int awaitOutcome(PrintWriter out, ClusterAccess cluster, List<PolicyCommand> sent, Duration timeout) throws InterruptedException {
        Map<String, PolicyCommand> pending = new LinkedHashMap<>();
        sent.forEach(c -> pending.put(c.getCommandId(), c));
        int rejected = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            java.util.Set<String> published = new java.util.HashSet<>();
            Map<String, PolicyEntity> policies = cluster.policies(published);
            for (PolicyEntity entity : policies.values()) {
                if (pending.remove(entity.getSourceCommandId()) != null) {
                    out.println("applied " + entity.getEntityKey() + " at version " + entity.getVersion());
                }
            }
            pending.values().removeIf(c -> {
                // a purge is tombstoned as soon as it is published: it is never in force, only seen
                boolean purged = c.getEntityType() == io.eventgate.avro.EntityType.CACHE_PURGE && published.contains(c.getCommandId());
                if (purged) {
                    out.println("purge " + c.getEntityId() + " published: every edge node drops the matching answers as it receives it");
                }
                boolean restored = c.getEntityType() == io.eventgate.avro.EntityType.LIMIT && c.getEntityId().contains("@variant:")
                        && published.contains(c.getCommandId());
                if (restored) {
                    out.println("restored " + c.getEntityId() + ": every edge node gives the variant its weight again as it receives it");
                }
                return purged || restored;
            });
            List<CommandRejection> rejections = new ArrayList<>();
            cluster.rejections(false, rejections::add);
            for (CommandRejection rejection : rejections) {
                if (pending.remove(rejection.getCommandId()) != null) {
                    rejected++;
                    printRejection(out, rejection);
                }
            }
            pending.values().removeIf(c -> {
                String key = (c.getEntityType() == io.eventgate.avro.EntityType.LIMIT ? "limit:" : "") + c.getEntityId();
                boolean deleted = c.getAction() == CommandAction.DELETE && !policies.containsKey(key);
                if (deleted) {
                    out.println("removed " + key);
                }
                return deleted;
            });
            if (!pending.isEmpty()) {
                Thread.sleep(250);
            }
        }
        pending.values().forEach(c -> out.println("no outcome yet for " + c.getEntityType() + " " + c.getEntityId() + " (is policy-streams running?)"));
        return rejected == 0 && pending.isEmpty() ? 0 : 1;
    }

    static void printRejection(PrintWriter out, CommandRejection rejection) {
        out.println("rejected " + rejection.getEntityKey() + (rejection.getField() == null ? "" : " at " + rejection.getField())
                + ": " + rejection.getReason() + " (command " + rejection.getCommandId() + " by " + rejection.getIssuedBy() + ")");
        out.flush();
    }
}
