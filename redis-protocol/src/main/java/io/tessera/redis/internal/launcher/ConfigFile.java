package io.tessera.redis.internal.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a node's config file: {@code .properties}, or {@code .yml}/{@code .yaml} (a flat map), whose keys are the
 * long options without dashes ({@code cluster-name: shop}). In YAML, {@code members} may also be a list. An unknown
 * key is an error, so that a typo does not go unnoticed.
 */
public final class ConfigFile {
    private ConfigFile() {
    }

    /**
     * The settings {@code file} holds, as text.
     *
     * @throws UsageException if the file cannot be read or parsed, or holds an unknown key or a nested value
     */
    public static Map<Setting, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--config: \"" + file + "\" (expected a readable .properties, .yml or .yaml"
                    + " file; it does not exist)");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (name.endsWith(".yml") || name.endsWith(".yaml")) {
                return fromYaml(file, reader);
            }
            if (name.endsWith(".properties")) {
                Properties properties = new Properties();
                properties.load(reader);
                Map<Setting, String> settings = new EnumMap<>(Setting.class);
                for (String key : properties.stringPropertyNames()) {
                    settings.put(setting(file, key), properties.getProperty(key).trim());
                }
                return settings;
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("--config: \"" + file + "\" cannot be read: " + e.getMessage(), e);
        }
        throw new UsageException("--config: \"" + file + "\" (expected a file name ending in .properties, .yml or"
                + " .yaml)");
    }

    private static Map<Setting, String> fromYaml(Path file, Reader reader) {
        Object document;
        try {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (YAMLException e) {
            throw new UsageException("--config: \"" + file + "\" is not valid YAML: " + e.getMessage(), e);
        }
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        if (document == null) {
            return settings;
        }
        if (!(document instanceof Map)) {
            throw new UsageException("--config: \"" + file + "\" (expected a YAML map of settings such as"
                    + " \"port: 6379\", found " + document.getClass().getSimpleName() + ")");
        }
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) document).entrySet()) {
            String key = String.valueOf(entry.getKey());
            Setting setting = setting(file, key);
            Object value = entry.getValue();
            if (value == null) {
                continue;
            }
            if (value instanceof List && setting == Setting.MEMBERS) {
                List<String> items = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    items.add(String.valueOf(item).trim());
                }
                settings.put(setting, String.join(",", items));
            } else if (value instanceof Map || value instanceof List) {
                throw new UsageException("--config: \"" + file + "\": " + key + " (expected a single value, found "
                        + (value instanceof Map ? "a map" : "a list") + ")");
            } else {
                settings.put(setting, String.valueOf(value).trim());
            }
        }
        return settings;
    }

    private static Setting setting(Path file, String key) {
        Setting setting = Setting.ofKey(key.trim());
        if (setting == null) {
            List<String> known = new ArrayList<>();
            for (Setting s : Setting.values()) {
                known.add(s.key());
            }
            throw new UsageException("--config: \"" + file + "\" has an unknown setting \"" + key + "\" (expected one"
                    + " of " + String.join(", ", known) + ")");
        }
        return setting;
    }
}
