import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code java AllocationSplit.java FILE.jfr REQUESTS}: the JFR allocation samples of a recording, per request,
 * split into logging (any frame in Logback, logstash-logback-encoder, Log4j, SLF4J or the gateway's AccessLog)
 * and the rest, by thread, with logging's top allocation sites.
 */
public class AllocationSplit {
  public static void main(String[] args) throws Exception {
    double requests = Double.parseDouble(args[1]);
    Map<String, Long> byKind = new TreeMap<>();
    Map<String, Long> sites = new HashMap<>();
    long total = 0;
    try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        if (!e.getEventType().getName().equals("jdk.ObjectAllocationSample")) {
          continue;
        }
        long weight = e.getLong("weight");
        total += weight;
        String thread = e.getThread("eventThread") == null ? "?" : e.getThread("eventThread").getJavaName();
        String site = null;
        if (e.getStackTrace() != null) {
          for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("ch.qos.logback") || type.startsWith("net.logstash") || type.startsWith("org.apache.logging")
                || type.startsWith("org.slf4j") || type.endsWith("http.AccessLog")) {
              site = type + "." + f.getMethod().getName() + " <- " + e.getClass("objectClass").getName();
              break;
            }
          }
        }
        String where = thread.startsWith("vert.x-eventloop") ? "event loop" : thread.replaceAll("[0-9]+", "N");
        byKind.merge((site != null ? "logging / " : "other / ") + where, weight, Long::sum);
        if (site != null) {
          sites.merge(site, weight, Long::sum);
        }
      }
    }
    System.out.printf("all threads: %.0f bytes/request (JFR allocation samples over %.0f requests)%n", total / requests, requests);
    long all = total;
    byKind.entrySet().stream().filter(k -> 100.0 * k.getValue() / all >= 0.5).forEach(k ->
        System.out.printf("  %-45s %6.0f bytes/request (%4.1f%%)%n", k.getKey(), k.getValue() / requests, 100.0 * k.getValue() / all));
    sites.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8).forEach(s ->
        System.out.printf("    %-110s %5.0f%n", s.getKey(), s.getValue() / requests));
  }
}
