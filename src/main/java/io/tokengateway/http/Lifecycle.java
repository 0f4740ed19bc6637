package io.tokengateway.http;

import java.util.concurrent.atomic.AtomicReference;

/** Where the process is in its life, as readiness reports it; shared by every verticle instance. */
public final class Lifecycle {

  /** The states, in order. */
  public enum State { STARTING, READY, DRAINING }

  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);

  public State state() {
    return state.get();
  }

  public boolean isReady() {
    return state.get() == State.READY;
  }

  public void ready() {
    state.compareAndSet(State.STARTING, State.READY);
  }

  public void drain() {
    state.set(State.DRAINING);
  }
}
