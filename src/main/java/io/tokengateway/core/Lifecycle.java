package io.tokengateway.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the process is in its life, as readiness reports it; shared by every verticle instance. The listeners
 * subscribe to the drain ({@link #whenDraining}) to start closing their keep-alive connections.
 */
public final class Lifecycle {

  /** The states, in order. */
  public enum State { STARTING, READY, DRAINING }

  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final List<Runnable> onDrain = new CopyOnWriteArrayList<>();

  public State state() {
    return state.get();
  }

  public boolean isReady() {
    return state.get() == State.READY;
  }

  public boolean isDraining() {
    return state.get() == State.DRAINING;
  }

  public void ready() {
    state.compareAndSet(State.STARTING, State.READY);
  }

  /** Enters the drain; the first call runs every {@link #whenDraining} action, on the caller's thread. */
  public void drain() {
    if (state.getAndSet(State.DRAINING) != State.DRAINING) {
      onDrain.forEach(Runnable::run);
    }
  }

  /** Runs {@code action} when the drain starts (at once when it has started already). */
  public void whenDraining(Runnable action) {
    onDrain.add(action);
    if (isDraining()) {
      action.run();
    }
  }
}
