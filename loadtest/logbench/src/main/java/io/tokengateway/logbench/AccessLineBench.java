package io.tokengateway.logbench;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.tokengateway.logging.AccessFields;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the cached embed path's access line {@code n} times through the logging stack the JVM was started
 * with and prints its cost per line: bytes allocated by the logging thread and by all threads (exact, from
 * the JVM's per-thread allocation counters), CPU time of the logging thread and of the whole process.
 *
 * <p>{@code AccessLineBench <calls> <warm-up lines> <lines>}, calls one of {@code kv} (one structured argument
 * per field, as the gateway logged before), {@code marker} (the gateway's {@link AccessFields}), {@code fluent}
 * (SLF4J 2 key-value pairs, for Logback's own {@code JsonEncoder}) or {@code params} (six plain parameters, for Log4j 2's {@code JsonTemplateLayout} message parameters).
 * Lines go out in batches of 64 with a 1 ms pause (about the gateway's rate on one event loop), so an
 * asynchronous appender does not fill (the script checks that every line was written).
 */
public final class AccessLineBench {

  private enum Cache { HIT }

  public static void main(String[] args) throws Exception {
    String calls = args[0];
    int warmUp = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    Logger log = LoggerFactory.getLogger("access");
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    write(log, calls, warmUp);
    Thread.sleep(1000);
    long self = Thread.currentThread().getId();
    long selfBytes = threads.getThreadAllocatedBytes(self);
    long selfCpu = threads.getThreadCpuTime(self);
    long allBytes = allocated(threads);
    long processCpu = os.getProcessCpuTime();
    write(log, calls, n);
    selfBytes = threads.getThreadAllocatedBytes(self) - selfBytes;
    selfCpu = threads.getThreadCpuTime(self) - selfCpu;
    Thread.sleep(1000); // the writer drains
    allBytes = allocated(threads) - allBytes;
    processCpu = os.getProcessCpuTime() - processCpu;
    System.err.printf("logging thread %6.1f B/line %5.0f ns/line | all threads %6.1f B/line | process %5.0f ns CPU/line%n",
        selfBytes / (double) n, selfCpu / (double) n, allBytes / (double) n, processCpu / (double) n);
    System.exit(0);
  }

  private static long allocated(com.sun.management.ThreadMXBean threads) {
    long sum = 0;
    for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      sum += Math.max(0, b);
    }
    return sum;
  }

  private static void write(Logger log, String calls, int n) {
    for (int i = 0; i < n; i++) {
      double durationMs = (12_345 + (i & 1023) * 17) / 1_000_000.0;
      if (log.isInfoEnabled()) {
        switch (calls) {
          case "kv" -> log.info("request", kv("method", "POST"), kv("path", "/api/fabric/embeds/tokens"),
              kv("status", 201), kv("durationMs", durationMs), kv("upstream", "none"), kv("cache", Cache.HIT));
          case "marker" -> log.info(new AccessFields("POST", "/api/fabric/embeds/tokens", 201, durationMs, "none",
              Cache.HIT.toString(), null), "request");
          case "fluent" -> log.atInfo().setMessage("request").addKeyValue("method", "POST")
              .addKeyValue("path", "/api/fabric/embeds/tokens").addKeyValue("status", 201)
              .addKeyValue("durationMs", durationMs).addKeyValue("upstream", "none").addKeyValue("cache", Cache.HIT).log();
          default -> log.info("request", "POST", "/api/fabric/embeds/tokens", 201, durationMs, "none", Cache.HIT);
        }
      }
      if ((i & 63) == 63) {
        LockSupport.parkNanos(1_000_000);
      }
    }
  }
}
