package io.tokengateway.support;

import java.security.Permission;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records, and refuses, every host-name lookup any thread of the JVM attempts while a block runs.
 *
 * <p>How, on Java 17 (no {@code InetAddressResolverProvider} before 18, and the {@code sun.net.spi.nameservice}
 * hook is gone): {@link java.net.InetAddress} asks the security manager {@code checkConnect(host, -1)} before it
 * resolves any name, and never for a literal. A security manager that allows everything else records that call
 * and throws, so the lookup is seen deterministically and no DNS query leaves the machine. Only one block runs
 * at a time; the previous security manager (none, in tests) is restored afterwards.
 */
public final class NameLookups {

  private NameLookups() {
  }

  /** Something to run that may throw. */
  @FunctionalInterface
  public interface Block {
    void run() throws Exception;
  }

  /** Runs {@code block} and answers the host names looked up meanwhile, in order. */
  @SuppressWarnings("removal")
  public static synchronized List<String> during(Block block) throws Exception {
    List<String> lookups = new CopyOnWriteArrayList<>();
    SecurityManager previous = System.getSecurityManager();
    System.setSecurityManager(new Recorder(lookups));
    try {
      block.run();
    } finally {
      System.setSecurityManager(previous);
    }
    return List.copyOf(lookups);
  }

  @SuppressWarnings("removal")
  private static final class Recorder extends SecurityManager {
    private final List<String> lookups;

    Recorder(List<String> lookups) {
      this.lookups = lookups;
    }

    @Override
    public void checkPermission(Permission perm) {
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
    }

    @Override
    public void checkConnect(String host, int port) {
      if (port == -1) {
        lookups.add(host);
        throw new SecurityException("name lookup refused in a test: " + host);
      }
    }

    @Override
    public void checkConnect(String host, int port, Object context) {
      checkConnect(host, port);
    }
  }
}
