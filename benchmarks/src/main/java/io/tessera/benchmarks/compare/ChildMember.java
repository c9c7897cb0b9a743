package io.tessera.benchmarks.compare;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A member in a child JVM, for the scenarios with one member per JVM: started with
 * {@code member <product> <cluster> <port,port,port> <index>}, it runs until its standard input closes (the parent
 * closes it, or dies).
 */
final class ChildMember {
    private ChildMember() {
    }

    static Process start(Product product, String cluster, int[] ports, int index) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-Xms2g", "-Xmx2g", "-Djava.net.preferIPv4Stack=true", "-cp",
                System.getProperty("java.class.path"), EmbeddedCompare.class.getName(), "member", product.label,
                cluster, joined(ports), Integer.toString(index)));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(new File(System.getProperty("java.io.tmpdir"),
                        "embedded-compare-" + product.label + "-m" + index + ".log")).start();
    }

    static void run(String[] argv) throws IOException {
        Product product = Product.of(argv[1]);
        String[] parts = argv[3].split(",");
        int[] ports = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            ports[i] = Integer.parseInt(parts[i]);
        }
        try (Member member = Member.start(product, argv[2], ports, Integer.parseInt(argv[4]))) {
            while (System.in.read() >= 0) {
                // runs until the parent closes our input
            }
        }
        System.exit(0);
    }

    private static String joined(int[] ports) {
        StringBuilder text = new StringBuilder();
        for (int port : ports) {
            text.append(text.length() == 0 ? "" : ",").append(port);
        }
        return text.toString();
    }
}
