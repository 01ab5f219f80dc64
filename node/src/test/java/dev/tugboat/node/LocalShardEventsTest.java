package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.protocol.ServiceId;
import org.apache.pekko.cluster.sharding.typed.HashCodeNoEnvelopeMessageExtractor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The informer filter must compute a service's shard exactly as Cluster Sharding does. */
class LocalShardEventsTest {

  @ParameterizedTest
  @CsvSource({"sim02-abc, 0", "sim02-abc, 3", "bench-sim, m9999", "ÄÖÜ, mødel", "a, b"})
  void shardOfAgreesWithClusterSharding(String simulationId, String modelId) {
    ServiceId id = new ServiceId(simulationId, modelId);
    HashCodeNoEnvelopeMessageExtractor<Object> sharding = new HashCodeNoEnvelopeMessageExtractor<>(100) {
      @Override
      public String entityId(Object message) {
        return id.entityId();
      }
    };
    LocalShardEvents events = new LocalShardEvents(null, 100);
    assertEquals(sharding.shardId(id.entityId()), events.shardOf(id));
  }
}
