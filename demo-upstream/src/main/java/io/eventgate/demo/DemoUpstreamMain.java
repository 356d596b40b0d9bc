package io.eventgate.demo;

/** Runs the demo upstream alone (containers): {@code DemoUpstreamMain [host] [port] [grpcPort]}, default 0.0.0.0:8090 and 8091. */
public final class DemoUpstreamMain {
    private DemoUpstreamMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = args.length > 0 ? args[0] : "0.0.0.0";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8090;
        int grpcPort = args.length > 2 ? Integer.parseInt(args[2]) : 8091;
        DemoUpstream upstream = DemoUpstream.start(host, port);
        GrpcEcho grpc = GrpcEcho.start(host, grpcPort);
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            upstream.close();
            grpc.close();
            stopped.countDown();
        }, "demo-upstream-shutdown"));
        System.out.println("demo upstream listening on " + host + ":" + upstream.port() + ", gRPC (demo.Echo, grpc.health.v1) on " + grpc.port());
        stopped.await(); // the server runs on daemon virtual threads: keep the JVM alive until shutdown
    }
}
