package dev.tugboat.mqtt;

import com.typesafe.config.Config;
import dev.tugboat.protocol.topics.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * The MQTT bridge's settings, read once from {@code tugboat.mqtt}. Invalid values fail at
 * start-up; {@link #toString()} never shows the password.
 */
public record MqttSettings(
    String host,
    int port,
    String username,
    String password,
    String simulatorName,
    String clientId,
    int qos,
    int maxInflight,
    Duration keepAlive,
    Duration connectTimeout,
    Duration reconnectMaxDelay,
    Duration routeTimeout,
    int routeAttempts,
    Duration publishTimeout,
    String sharedGroup) {

  public MqttSettings {
    Objects.requireNonNull(host, "host");
    username = username == null ? "" : username;
    password = password == null ? "" : password;
    Objects.requireNonNull(simulatorName, "simulatorName");
    Objects.requireNonNull(clientId, "clientId");
    sharedGroup = sharedGroup == null ? "" : sharedGroup;
    require(sharedGroup.chars().noneMatch(ch -> ch == '/' || ch == '+' || ch == '#'),
        "tugboat.mqtt.shared-group must not contain '/', '+' or '#'");
    require(!host.isBlank(), "tugboat.mqtt.host is empty");
    require(port > 0 && port < 65536, "tugboat.mqtt.port must be 1..65535, not " + port);
    require(!simulatorName.isBlank() && simulatorName.chars().noneMatch(c -> c == '/' || c == '+' || c == '#'),
        "tugboat.mqtt.simulator-name must be one topic segment, not '" + simulatorName + "'");
    require(!clientId.isBlank(), "tugboat.mqtt.client-id is empty");
    require(qos >= 0 && qos <= 2, "tugboat.mqtt.qos must be 0, 1 or 2, not " + qos);
    require(maxInflight >= 1, "tugboat.mqtt.max-inflight must be at least 1");
    require(routeAttempts >= 1, "tugboat.mqtt.route-attempts must be at least 1");
    for (Duration d : new Duration[] {keepAlive, connectTimeout, reconnectMaxDelay, routeTimeout, publishTimeout}) {
      require(d != null && !d.isNegative() && !d.isZero(), "tugboat.mqtt durations must be positive");
    }
  }

  /** Reads {@code tugboat.mqtt}; an empty client-id becomes {@code "tugboat-" + hostname}. */
  public static MqttSettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.mqtt");
    String clientId = c.getString("client-id");
    return new MqttSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getString("username"),
        c.getString("password"),
        c.getString("simulator-name"),
        clientId.isBlank() ? "tugboat-" + hostname() : clientId,
        c.getInt("qos"),
        c.getInt("max-inflight"),
        c.getDuration("keep-alive"),
        c.getDuration("connect-timeout"),
        c.getDuration("reconnect-max-delay"),
        c.getDuration("route-timeout"),
        c.getInt("route-attempts"),
        c.getDuration("publish-timeout"),
        c.getString("shared-group"));
  }

  /**
   * The subscription filter for a topic filter: {@code $share/<group>/<filter>} when a shared
   * group is configured, so the broker hands each message to one node of the cluster (and to
   * another one if that node goes away before acknowledging it); the plain filter otherwise.
   */
  public String subscriptionFilter(String filter) {
    return sharedGroup.isEmpty() ? filter : "$share/" + sharedGroup + "/" + filter;
  }

  /** The {so} topic segment: the simulator name lower-cased, as the DOTS MSO does. */
  public String so() {
    return Topics.soSegment(simulatorName);
  }

  public String serverUri() {
    return "tcp://" + host + ":" + port;
  }

  public MqttSettings withHostAndPort(String newHost, int newPort) {
    return new MqttSettings(newHost, newPort, username, password, simulatorName, clientId, qos, maxInflight,
        keepAlive, connectTimeout, reconnectMaxDelay, routeTimeout, routeAttempts, publishTimeout, sharedGroup);
  }

  public MqttSettings withClientId(String newClientId) {
    return new MqttSettings(host, port, username, password, simulatorName, newClientId, qos, maxInflight,
        keepAlive, connectTimeout, reconnectMaxDelay, routeTimeout, routeAttempts, publishTimeout, sharedGroup);
  }

  @Override
  public String toString() {
    return "MqttSettings[host=" + host + ", port=" + port + ", username=" + username
        + ", password=" + (password.isEmpty() ? "" : "***") + ", simulatorName=" + simulatorName
        + ", clientId=" + clientId + ", qos=" + qos + ", maxInflight=" + maxInflight
        + ", keepAlive=" + keepAlive + ", connectTimeout=" + connectTimeout
        + ", reconnectMaxDelay=" + reconnectMaxDelay + ", routeTimeout=" + routeTimeout
        + ", routeAttempts=" + routeAttempts + ", publishTimeout=" + publishTimeout + "]";
  }

  private static String hostname() {
    // In Kubernetes HOSTNAME is the pod name: stable for a StatefulSet, distinct between nodes.
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cannot determine the host name for the MQTT client id; "
          + "set TUGBOAT_MQTT_CLIENT_ID", e);
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
