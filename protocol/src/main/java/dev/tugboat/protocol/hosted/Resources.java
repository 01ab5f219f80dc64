package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;

/**
 * The container's CPU and memory requests and limits as Kubernetes quantities ("500m", "1",
 * "256Mi"); an empty string leaves that one out.
 */
public record Resources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit)
    implements CborSerializable {

  public static final Resources NONE = new Resources("", "", "", "");

  public Resources {
    cpuRequest = cpuRequest == null ? "" : cpuRequest.strip();
    memoryRequest = memoryRequest == null ? "" : memoryRequest.strip();
    cpuLimit = cpuLimit == null ? "" : cpuLimit.strip();
    memoryLimit = memoryLimit == null ? "" : memoryLimit.strip();
  }
}
