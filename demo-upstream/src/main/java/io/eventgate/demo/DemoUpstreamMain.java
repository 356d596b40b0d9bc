package io.eventgate.demo;

/** Runs the demo upstream alone (containers): {@code DemoUpstreamMain [host] [port]}, default 0.0.0.0:8090. */
public final class DemoUpstreamMain {
    private DemoUpstreamMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = args.length > 0 ? args[0] : "0.0.0.0";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8090;
        DemoUpstream upstream = DemoUpstream.start(host, port);
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            upstream.close();
            stopped.countDown();
        }, "demo-upstream-shutdown"));
        System.out.println("demo upstream listening on " + host + ":" + upstream.port());
        stopped.await(); // the server runs on daemon virtual threads: keep the JVM alive until shutdown
    }
}
