package io.tessera.session;

/** Which attributes a request writes back to the grid. */
public enum SaveMode {
    /**
     * Only attributes passed to {@code setAttribute} or {@code removeAttribute} (the default). An attribute object
     * changed in place is not replicated unless it is set again: {@code session.setAttribute("cart", cart)}.
     */
    ON_SET_ATTRIBUTE,
    /**
     * Also every attribute read with {@code getAttribute} in the request, serialized again at commit and written
     * if its bytes changed: for applications that mutate attribute objects in place. It costs a serialization per
     * attribute read, and a concurrent request that sets the same attribute may be overwritten by the read value.
     */
    ON_GET_ATTRIBUTE
}
