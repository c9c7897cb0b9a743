package io.tessera.redis.internal.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line of {@code tessera-server}: one option per {@link Setting}, plus {@code --config}, {@code --help}
 * and {@code --version}. Parsing never exits the JVM; it says what to do ({@link Parsed}).
 */
public final class Launcher {
    /** The program name in usage and messages. */
    public static final String PROGRAM = "tessera-server";
    /** Exit code of {@code --help}, {@code --version} and a normal stop. */
    public static final int EXIT_OK = 0;
    /** Exit code of a node that could not start or stopped on an error. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a bad option, setting or config file (as picocli and most Unix tools use). */
    public static final int EXIT_USAGE = 2;

    private static final String CONFIG_OPTION = "--config";

    private Launcher() {
    }

    /**
     * What the command line asks for: a node to start with {@code settings}, or (when {@code settings} is
     * {@code null}) an exit with {@code exitCode} after help, the version or an error was printed.
     */
    public record Parsed(NodeSettings settings, int exitCode) {
    }

    /**
     * Parses {@code args} together with {@code env} and the config file they name; prints help, the version or a
     * usage error.
     */
    public static Parsed parse(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(spec());
        try {
            ParseResult result = commandLine.parseArgs(args);
            if (result.isUsageHelpRequested()) {
                commandLine.usage(out);
                out.flush();
                return new Parsed(null, EXIT_OK);
            }
            if (result.isVersionHelpRequested()) {
                commandLine.printVersionHelp(out);
                out.flush();
                return new Parsed(null, EXIT_OK);
            }
            Map<Setting, String> flags = new EnumMap<>(Setting.class);
            for (Setting setting : Setting.values()) {
                if (result.hasMatchedOption(setting.option())) {
                    flags.put(setting, result.matchedOptionValue(setting.option(), ""));
                }
            }
            String configFile = result.hasMatchedOption(CONFIG_OPTION)
                    ? result.matchedOptionValue(CONFIG_OPTION, "")
                    : env.get(Setting.CONFIG_ENV);
            Path file = configFile == null || configFile.isBlank() ? null : Path.of(configFile);
            Map<Setting, String> fileValues = file == null ? Map.of() : ConfigFile.read(file);
            return new Parsed(NodeSettings.resolve(flags, env, fileValues, file), EXIT_OK);
        } catch (ParameterException e) {
            return usageError(err, e.getMessage());
        } catch (UsageException e) {
            return usageError(err, e.getMessage());
        }
    }

    private static Parsed usageError(PrintWriter err, String message) {
        err.println(PROGRAM + ": " + message);
        err.println("Run '" + PROGRAM + " --help' for the options.");
        err.flush();
        return new Parsed(null, EXIT_USAGE);
    }

    private static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create()
                .name(PROGRAM)
                .mixinStandardHelpOptions(true)
                .version(PROGRAM + " " + version(), "Java " + System.getProperty("java.version") + " ("
                        + System.getProperty("java.vm.name") + ")");
        spec.usageMessage()
                .sortOptions(false)
                .description("A Redis-compatible node of a Tessera in-memory data grid: every node serves every key,"
                        + " and nodes with the same cluster name share the data, with synchronous backups.")
                .footer("", "Settings are read from the config file, then the environment, then these flags; the"
                        + " later wins. A config file (.properties or .yml/.yaml) uses the option names without"
                        + " dashes as keys (cluster-name: shop).",
                        "SIGTERM or the SHUTDOWN command leaves the cluster gracefully (partitions are handed off"
                        + " first).",
                        "Exit codes: 0 normal stop, 1 failure, 2 bad option or setting.");
        for (Setting setting : Setting.values()) {
            spec.addOption(OptionSpec.builder(setting.option())
                    .paramLabel(setting.paramLabel())
                    .type(String.class)
                    .description(setting.helpText())
                    .build());
        }
        spec.addOption(OptionSpec.builder(CONFIG_OPTION)
                .paramLabel("FILE")
                .type(String.class)
                .description("A .properties or .yml/.yaml file of settings. Env: " + Setting.CONFIG_ENV + ".")
                .build());
        return spec;
    }

    /** This build's version, from the filtered {@code version.properties}, or {@code unknown}. */
    public static String version() {
        try (InputStream in = Launcher.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version");
                if (version != null && !version.startsWith("$")) {
                    return version;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
