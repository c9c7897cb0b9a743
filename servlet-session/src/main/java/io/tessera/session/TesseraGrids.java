package io.tessera.session;

import io.tessera.grid.Grid;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A JVM-wide registry of named grids, for a {@link TesseraSessionFilter} declared in {@code web.xml} or with
 * {@code @WebFilter}, which cannot be handed a {@link Grid} in its constructor.
 *
 * <p>The application (or the server's bootstrap code) starts a member and registers it, then names it in the
 * filter's {@code grid-name} init-param: <pre>{@code
 * TesseraGrids.register("sessions", grid);
 * }</pre>
 * A filter without {@code grid-name} looks for a {@link Grid} in the {@link jakarta.servlet.ServletContext}
 * attribute {@link #CONTEXT_ATTRIBUTE} instead, which a {@code ServletContextListener} can set.
 */
public final class TesseraGrids {
    /** The ServletContext attribute a filter without {@code grid-name} reads its {@link Grid} from. */
    public static final String CONTEXT_ATTRIBUTE = "io.tessera.grid.Grid";

    private static final ConcurrentMap<String, Grid> GRIDS = new ConcurrentHashMap<>();

    private TesseraGrids() {
    }

    /**
     * Registers {@code grid} under {@code name}; registering the same grid again is allowed.
     *
     * @param name the name filters give in {@code grid-name}
     * @param grid the started member
     * @throws IllegalStateException if another grid is registered under that name
     */
    public static void register(String name, Grid grid) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(grid, "grid");
        Grid previous = GRIDS.putIfAbsent(name, grid);
        if (previous != null && previous != grid) {
            throw new IllegalStateException("grid name: \"" + name + "\" (expected an unused name; another grid is "
                    + "registered under it)");
        }
    }

    /**
     * Removes the grid registered under {@code name}, for example when the application closes the grid.
     *
     * @param name the name the grid was registered under
     * @return whether a grid was registered under it
     */
    public static boolean unregister(String name) {
        return GRIDS.remove(name) != null;
    }

    /**
     * Returns the grid registered under {@code name}.
     *
     * @param name the name
     * @return the grid, or {@code null} if none is registered under {@code name}
     */
    public static Grid get(String name) {
        return GRIDS.get(name);
    }
}
