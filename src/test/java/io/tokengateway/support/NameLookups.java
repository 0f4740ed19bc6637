package io.tokengateway.support;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records, and refuses, every host-name lookup any thread of the JVM makes through {@link InetAddress} while a
 * block runs.
 *
 * <p>How, on Java 17 and on Java 25 alike (no security manager: Java 24 removed it): a text that
 * {@code InetAddress} does not read as a literal is looked up in its cache, then asked of the JVM-wide resolver,
 * one static field of {@code InetAddress}: {@code nameService} on Java 17 (the private interface
 * {@code InetAddress.NameService}), {@code resolver} from Java 18 on ({@code java.net.spi.InetAddressResolver}, the
 * resolver an {@code InetAddressResolverProvider} installs; that API cannot be compiled for Java 17). For the
 * block, the field holds a recorder, a proxy of the field's own interface, which records the name and throws
 * {@link UnknownHostException}, so no DNS query leaves the machine; the cache is emptied before and after, so a
 * name resolved earlier is asked again and a refusal does not outlive the block. A literal never reaches the
 * resolver. Lookups made by Netty's own DNS client (Vert.x's HTTP client, to connect) do not go through
 * {@code InetAddress} and are not seen. Needs {@code --add-opens java.base/java.net=ALL-UNNAMED} (pom.xml).
 * Only one block runs at a time.
 */
public final class NameLookups {

  private static final Field RESOLVER = openField(fieldName());
  private static final Field CACHE = openField("cache");
  private static final Field EXPIRY = openField("expirySet");

  private NameLookups() {
  }

  /** Something to run that may throw. */
  @FunctionalInterface
  public interface Block {
    void run() throws Exception;
  }

  /** Runs {@code block} and answers the host names looked up meanwhile, in order. */
  public static synchronized List<String> during(Block block) throws Exception {
    List<String> lookups = new CopyOnWriteArrayList<>();
    Object previous = RESOLVER.get(null);
    clearCache();
    RESOLVER.set(null, recorder(lookups));
    try {
      block.run();
    } finally {
      RESOLVER.set(null, previous);
      clearCache();
    }
    return List.copyOf(lookups);
  }

  /** A resolver (of the field's own type) that records each name, or address, asked of it and refuses it. */
  private static Object recorder(List<String> lookups) {
    Class<?> type = RESOLVER.getType();
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
        switch (method.getName()) {
          // Java 17: lookupAllHostAddr(host), getHostByAddr(address); 18+: lookupByName(host, policy),
          // lookupByAddress(address)
          case "lookupAllHostAddr", "lookupByName" -> throw refused(lookups, (String) args[0]);
          case "getHostByAddr", "lookupByAddress" ->
              throw refused(lookups, InetAddress.getByAddress((byte[]) args[0]).getHostAddress());
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "NameLookups recorder";
          default -> throw new UnsupportedOperationException(method.toString());
        });
  }

  private static UnknownHostException refused(List<String> lookups, String name) {
    lookups.add(name);
    return new UnknownHostException("name lookup refused in a test: " + name);
  }

  private static void clearCache() throws IllegalAccessException {
    ((Map<?, ?>) CACHE.get(null)).clear();
    ((java.util.Collection<?>) EXPIRY.get(null)).clear();
  }

  private static String fieldName() {
    return Runtime.version().feature() >= 18 ? "resolver" : "nameService";
  }

  private static Field openField(String name) {
    try {
      Field field = InetAddress.class.getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("InetAddress." + name + " is not reachable (run with --add-opens "
          + "java.base/java.net=ALL-UNNAMED, as pom.xml's surefire argLine does): " + e, e);
    }
  }
}
