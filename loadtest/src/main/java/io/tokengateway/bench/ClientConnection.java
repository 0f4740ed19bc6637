package io.tokengateway.bench;

/**
 * One keep-alive HTTP/1.1 connection of the rate client, carrying one exchange at a time (no pipelining).
 * Touched on the client's event loop only. An implementation sends the prepared request in {@link #send()} and
 * reports the answer's status with {@link OpenLoop#answered}, a failure with {@link OpenLoop#failed}, and its
 * closing with {@link OpenLoop#closed}.
 */
abstract class ClientConnection {

  /** The intended send time of the exchange under way (System.nanoTime), valid while {@code busy}. */
  long intended;
  /** When the exchange under way was written (System.nanoTime), for the timeout sweep. */
  long sentAt;
  boolean busy;
  boolean closed;

  /** Writes the request; the answer or the failure arrives later on the event loop. */
  abstract void send();

  /** Closes the connection (an exchange under way is abandoned). */
  abstract void close();
}
