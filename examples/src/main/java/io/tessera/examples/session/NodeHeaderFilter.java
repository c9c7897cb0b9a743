package io.tessera.examples.session;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Adds {@value #HEADER} (the node's name) to every response, so that a client behind a load balancer can see which
 * node served it.
 */
public final class NodeHeaderFilter extends HttpFilter {
    /** The response header that names the node. */
    public static final String HEADER = "X-Tessera-Node";

    /**
     * The value of {@link #HEADER}.
     */
    private final String nodeName;

    /**
     * Creates a filter that names {@code nodeName} in every response.
     *
     * @param nodeName the node's name, the header's value
     */
    public NodeHeaderFilter(String nodeName) {
        this.nodeName = nodeName;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader(HEADER, nodeName);
        chain.doFilter(request, response);
    }
}
