package io.tessera.grid.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps grid-core's layering honest by reading the compiled classes' constant pools: lower internal layers never
 * reference higher ones, and nothing web- or network-framework-shaped is referenced at all.
 */
@Timeout(30)
class ArchitectureTest {
    private static final String ROOT = "io/tessera/grid/";
    /** Internal packages from the bottom up; a package may reference only packages at or below its own rank. */
    private static final List<String> LAYERS = List.of("wire", "serialization", "store", "partition", "cluster",
            "nearcache", "replica", "replication", "migration", "operation", "merge", "event", "membership", "map|");
    private static final Map<String, Set<String>> references = new java.util.TreeMap<>();

    @BeforeAll
    static void readClasses() throws IOException {
        Path classes = Paths.get("target/classes");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('\\', '/').replace(".class", "");
                try (InputStream in = Files.newInputStream(file)) {
                    references.put(name, classReferences(in));
                }
            }
        }
        assertThat(references).as("compiled classes of grid-core").hasSizeGreaterThan(30);
    }

    @Test
    void internalLayers_referenceOnlyTheirOwnOrLowerLayers() {
        List<String> violations = new ArrayList<>();
        references.forEach((type, refs) -> {
            int rank = rank(type);
            if (rank < 0) {
                return;
            }
            for (String ref : refs) {
                int refRank = rank(ref);
                if (refRank > rank) {
                    violations.add(type + " -> " + ref);
                }
            }
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void gridCore_referencesNoServletJettyOrNettyType() {
        List<String> violations = new ArrayList<>();
        references.forEach((type, refs) -> refs.stream()
                .filter(r -> r.startsWith("jakarta/servlet") || r.startsWith("javax/servlet")
                        || r.startsWith("org/eclipse/jetty") || r.startsWith("io/netty"))
                .forEach(r -> violations.add(type + " -> " + r)));
        assertThat(violations).isEmpty();
    }

    /** The layer rank of an internal class; the internal root (GridNode) ranks with {@code map}; others -1. */
    private static int rank(String type) {
        String internal = ROOT + "internal/";
        if (!type.startsWith(internal)) {
            return -1;
        }
        String rest = type.substring(internal.length());
        int slash = rest.indexOf('/');
        String pkg = slash < 0 ? "" : rest.substring(0, slash);
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String name : LAYERS.get(i).split("\\|", -1)) {
                if (name.equals(pkg)) {
                    return i;
                }
            }
        }
        throw new AssertionError("internal package '" + pkg + "' of " + type + " has no layer; add it to LAYERS");
    }

    /** The internal names of classes a class file references through its constant pool. */
    private static Set<String> classReferences(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        in.readInt();
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classIndexes = new ArrayList<>();
        List<Integer> descriptorIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classIndexes.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 9, 10, 11, 12, 17, 18 -> {
                    int a = in.readUnsignedShort();
                    int b = in.readUnsignedShort();
                    if (tag == 12) {
                        descriptorIndexes.add(b);
                    }
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> refs = new TreeSet<>();
        for (int index : classIndexes) {
            String name = utf8[index];
            while (name.startsWith("[")) {
                name = name.substring(1);
            }
            if (name.startsWith("L") && name.endsWith(";")) {
                name = name.substring(1, name.length() - 1);
            }
            refs.add(name);
        }
        for (int index : descriptorIndexes) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("L([^;]+);").matcher(utf8[index]);
            while (m.find()) {
                refs.add(m.group(1));
            }
        }
        return refs;
    }
}
