package io.eventgate.demo;

/** Runs the demo upstream alone (containers): {@code DemoUpstreamMain [host] [port]}, default 0.0.0.0:8090. */
public final class DemoUpstreamMain {
    private DemoUpstreamMain() {
    }

    public static void main(String[] args) {
        String host = args.length > 0 ? args[0] : "0.0.0.0";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8090;
        DemoUpstream upstream = DemoUpstream.start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(upstream::close, "demo-upstream-shutdown"));
        System.out.println("demo upstream listening on " + host + ":" + upstream.port());
    }
}
