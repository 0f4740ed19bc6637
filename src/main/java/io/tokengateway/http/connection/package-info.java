/**
 * The HTTP server's connections: how many, for how long, how a request's body is framed, and the drain.
 *
 * <p>Vert.x 5's public API has no hook for what a connection receives before a request head is complete, nor
 * for a request's framing headers as sent (Netty drops {@code Content-Length} when {@code chunked} is also
 * present), nor for its shutdown of keep-alive connections (which drops a request that arrives between two
 * answers). This package therefore reaches into Vert.x 5.0's internals, and only here:
 * {@code ConnectionBase.channel()/channelHandlerContext()} to add a Netty handler to a connection's pipeline,
 * {@code VertxHttpRequestDecoder} to refuse ambiguous framing and lenient HTTP/1.1 syntax (through Netty's
 * protected hooks), {@code Http1xServerConnection.handleException} to fail a request's body read (so its own
 * handler answers 400 or 408), and {@code ShutdownEvent} to replace the shutdown of HTTP/1.1 connections.
 * {@code ReadAhead} relies on Vert.x's name for the request decoder ({@code httpDecoder}) and on Vert.x turning
 * autoRead off only past 8 queued messages. The tests of {@code io.tokengateway.http} (FramingIT,
 * StrictFramingIT, ConnectionLimitsIT, DrainIT, H2cIT, SlowReadersIT, RefusedRequestsIT) check all of it on the
 * wire and fail on a Vert.x that changes it; FramingProperties feeds the decoder generated requests in random
 * slices.
 */
package io.tokengateway.http.connection;
