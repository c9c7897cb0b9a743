package io.tessera.benchmarks.compare;

/** The products an embedded comparison runs, in the order each round runs them. */
enum Product {
    TESSERA("tessera"),
    HAZELCAST("hazelcast");

    final String label;

    Product(String label) {
        this.label = label;
    }

    static Product of(String label) {
        for (Product product : values()) {
            if (product.label.equals(label)) {
                return product;
            }
        }
        throw new IllegalArgumentException("unknown product " + label + " (tessera, hazelcast)");
    }
}
