package io.tokengateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * One {@code redis-server} process a test started on a free loopback port, in a temporary directory, with no
 * persistence ({@code save ""}, {@code appendonly no}). Killed with its test class ({@link #kill}), and by a
 * shutdown hook should the JVM end first. Topology tests call {@link #assumeBinaries} first: without the
 * binaries they are reported as skipped with the reason.
 */
public final class RedisProcess {

  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
  }

  public final int port;
  private final Path dir;
  private final String name;
  private final List<String> config;
  private final boolean sentinel;
  private final String password;
  private Process process;

  private RedisProcess(Path dir, String name, int port, List<String> config, boolean sentinel, String password) {
    this.dir = dir;
    this.name = name;
    this.port = port;
    this.config = config;
    this.sentinel = sentinel;
    this.password = password;
  }

  /** Skips the calling test class, saying why, unless redis-server and redis-cli run here. */
  public static void assumeBinaries() {
    Assumptions.assumeTrue(runs("redis-server") && runs("redis-cli"), "redis-server or redis-cli is not on the PATH:"
        + " the Sentinel and Redis Cluster tests are skipped (install Redis 7, e.g. apt-get install redis-server)");
  }

  private static boolean runs(String binary) {
    try {
      Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A new temporary directory for one topology's files. */
  public static Path tempDir(String what) {
    try {
      return Files.createTempDirectory("tg-" + what + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code n} distinct ports free on the loopback now. */
  public static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      held.forEach(s -> {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a listener
        }
      });
    }
  }

  /**
   * Starts {@code redis-server} (as a Sentinel when {@code sentinel}) on {@code port} with {@code config} lines
   * added to the defaults, and waits until it answers PING (with {@code password} when not null).
   */
  public static RedisProcess start(Path dir, String name, int port, List<String> config, boolean sentinel,
      String password) {
    List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + dir,
        "logfile " + dir.resolve(name + ".log")));
    if (!sentinel) {
      // a replica's first sync at once: the default waits 5 s for other replicas to join it
      lines.addAll(List.of("save \"\"", "appendonly no", "repl-diskless-sync-delay 0"));
    }
    lines.addAll(config);
    RedisProcess p = new RedisProcess(dir, name, port, List.copyOf(lines), sentinel, password);
    p.launch();
    return p;
  }

  /** Starts the same process again, on the same port, with the files it left (a Cluster node's nodes.conf). */
  public void restart() {
    launch();
  }

  private void launch() {
    try {
      Path conf = dir.resolve(name + ".conf");
      if (!Files.exists(conf)) { // a Sentinel rewrites its own file: keep what it wrote
        Files.write(conf, config);
      }
      List<String> command = new ArrayList<>(List.of("redis-server", conf.toString()));
      if (sentinel) {
        command.add("--sentinel");
      }
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + ".out").toFile()).start();
      RUNNING.add(process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!Resp.pings(port, password)) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        kill();
        throw new IllegalStateException(name + " on port " + port + " did not start: " + log());
      }
      sleep(20); // a process starting: polled until it answers, bounded above
    }
  }

  /** SIGKILL, as a crash; returns once the process is gone. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      RUNNING.remove(process);
    }
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  /** The end of this process's log, for a failure's message. */
  public String log() {
    try {
      Path log = dir.resolve(name + ".log");
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Removes a topology's directory once its processes are gone. */
  public static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }

  /**
   * Polls {@code condition} every 50 ms (each poll may open a connection to a node) until it holds, failing
   * after {@code millis} with {@code what}.
   */
  public static void until(java.util.function.BooleanSupplier condition, long millis, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + millis + " ms: " + what);
      }
      sleep(50);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
