package io.tokengateway.bench;

import java.lang.management.ManagementFactory;

/** The rate client's own CPU and GC over the measured window: one core busy = 100%. */
final class ClientUsage {

  private final long loopThread;
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long wall;
  private long process;
  private long loopCpu;
  private long gcMillis;
  private long gcCount;

  ClientUsage(long loopThread) {
    this.loopThread = loopThread;
  }

  void begin() {
    wall = -System.nanoTime();
    process = -os.getProcessCpuTime();
    loopCpu = -ManagementFactory.getThreadMXBean().getThreadCpuTime(loopThread);
    gcMillis = -gc(true);
    gcCount = -gc(false);
  }

  void end() {
    wall += System.nanoTime();
    process += os.getProcessCpuTime();
    loopCpu += ManagementFactory.getThreadMXBean().getThreadCpuTime(loopThread);
    gcMillis += gc(true);
    gcCount += gc(false);
  }

  double processPercent() {
    return 100.0 * process / wall;
  }

  double loopPercent() {
    return 100.0 * loopCpu / wall;
  }

  long gcMillis() {
    return gcMillis;
  }

  long gcCount() {
    return gcCount;
  }

  private static long gc(boolean time) {
    long sum = 0;
    for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, time ? bean.getCollectionTime() : bean.getCollectionCount());
    }
    return sum;
  }
}
