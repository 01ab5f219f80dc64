-- pekko-persistence-jdbc 1.1 journal and snapshot tables and the projection offset store for H2 (idempotent).
CREATE TABLE IF NOT EXISTS PUBLIC."event_journal" (
    "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" BLOB NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" BLOB,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    PRIMARY KEY("persistence_id","sequence_number")
);

CREATE UNIQUE INDEX IF NOT EXISTS "event_journal_ordering_idx" ON PUBLIC."event_journal" ("ordering");

CREATE TABLE IF NOT EXISTS PUBLIC."event_tag" (
    "event_id" BIGINT NOT NULL,
    "tag" VARCHAR NOT NULL,
    PRIMARY KEY("event_id", "tag"),
    CONSTRAINT fk_event_journal
      FOREIGN KEY("event_id")
      REFERENCES "event_journal"("ordering")
      ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS PUBLIC."snapshot" (
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "created" BIGINT NOT NULL,
    "snapshot_ser_id" INTEGER NOT NULL,
    "snapshot_ser_manifest" VARCHAR NOT NULL,
    "snapshot_payload" BLOB NOT NULL,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    "meta_payload" BLOB,
    PRIMARY KEY("persistence_id","sequence_number")
);

-- The Simulation entities' journal, tags and snapshots (tugboat-simulation-journal,
-- tugboat-simulation-snapshot-store, tugboat-simulation-read-journal): the same columns as the
-- tables above, apart so that the notification projection's reads (eventsByTag and the
-- journal-sequence actor, which follows every ordering of its table) see only simulation events,
-- not the thousands of service and shard writes. JournalSchema moves simulation events an older
-- Tugboat wrote into event_journal here at start-up.
CREATE TABLE IF NOT EXISTS PUBLIC."simulation_journal" (
    "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" BLOB NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" BLOB,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    PRIMARY KEY("persistence_id","sequence_number")
);

CREATE UNIQUE INDEX IF NOT EXISTS "simulation_journal_ordering_idx" ON PUBLIC."simulation_journal" ("ordering");

CREATE TABLE IF NOT EXISTS PUBLIC."simulation_tag" (
    "event_id" BIGINT NOT NULL,
    "tag" VARCHAR NOT NULL,
    PRIMARY KEY("event_id", "tag"),
    CONSTRAINT fk_simulation_journal
      FOREIGN KEY("event_id")
      REFERENCES "simulation_journal"("ordering")
      ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS PUBLIC."simulation_snapshot" (
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "created" BIGINT NOT NULL,
    "snapshot_ser_id" INTEGER NOT NULL,
    "snapshot_ser_manifest" VARCHAR NOT NULL,
    "snapshot_payload" BLOB NOT NULL,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    "meta_payload" BLOB,
    PRIMARY KEY("persistence_id","sequence_number")
);

-- pekko-projection-jdbc 1.0 offset store (the notification projection's offsets) and its
-- management table. Never drop it on a running deployment: a projection without an offset
-- publishes every notification in the journal again.
CREATE TABLE IF NOT EXISTS "pekko_projection_offset_store" (
    "projection_name" VARCHAR(255) NOT NULL,
    "projection_key" VARCHAR(255) NOT NULL,
    "current_offset" VARCHAR(255) NOT NULL,
    "manifest" VARCHAR(4) NOT NULL,
    "mergeable" BOOLEAN NOT NULL,
    "last_updated" BIGINT NOT NULL,
    PRIMARY KEY("projection_name", "projection_key")
);

CREATE INDEX IF NOT EXISTS "projection_name_index" ON "pekko_projection_offset_store" ("projection_name");

CREATE TABLE IF NOT EXISTS "pekko_projection_management" (
    "projection_name" VARCHAR(255) NOT NULL,
    "projection_key" VARCHAR(255) NOT NULL,
    "paused" BOOLEAN NOT NULL,
    "last_updated" BIGINT NOT NULL,
    PRIMARY KEY("projection_name", "projection_key")
);

-- Settings a deployment keeps for its whole life (dev.tugboat.persistence.FixedSettings): recorded
-- on its first start, compared on every later one.
CREATE TABLE IF NOT EXISTS PUBLIC."tugboat_settings" (
    "name" VARCHAR(255) NOT NULL,
    "value" VARCHAR(1024) NOT NULL,
    PRIMARY KEY("name")
);

-- The simulation list's read model (dev.tugboat.persistence.SimulationSummaryProjection): one row
-- per simulation with its model counts by phase, kept by a projection over the simulations'
-- events (offsets in pekko_projection_offset_store, written in the same transaction). sort_key is
-- the journal ordering of the simulation's first event: newest first is sort_key descending.
-- Times are epoch milliseconds. Rebuilt only from events still tagged, so never drop it.
CREATE TABLE IF NOT EXISTS PUBLIC."tugboat_simulation_summary" (
    "simulation_id" VARCHAR(255) NOT NULL,
    "simulator_id" VARCHAR(255) NOT NULL,
    "phase" VARCHAR(16) NOT NULL,
    "requested" INTEGER NOT NULL,
    "starting" INTEGER NOT NULL,
    "ready" INTEGER NOT NULL,
    "succeeded" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "deployed_at" BIGINT NOT NULL,
    "ended_at" BIGINT,
    "sort_key" BIGINT NOT NULL,
    PRIMARY KEY("simulation_id")
);

CREATE UNIQUE INDEX IF NOT EXISTS "tugboat_simulation_summary_sort_idx" ON PUBLIC."tugboat_simulation_summary" ("sort_key");
CREATE INDEX IF NOT EXISTS "tugboat_simulation_summary_phase_idx" ON PUBLIC."tugboat_simulation_summary" ("phase", "sort_key");
CREATE INDEX IF NOT EXISTS "tugboat_simulation_summary_simulator_idx" ON PUBLIC."tugboat_simulation_summary" ("simulator_id", "sort_key");

-- Each model of a simulation that has not ended yet, so the projection knows which count a
-- model's next event moves it from; a simulation's rows go when it ends.
CREATE TABLE IF NOT EXISTS PUBLIC."tugboat_simulation_model" (
    "simulation_id" VARCHAR(255) NOT NULL,
    "model_id" VARCHAR(255) NOT NULL,
    "phase" VARCHAR(16) NOT NULL,
    "accepted" BOOLEAN NOT NULL,
    "ready" BOOLEAN NOT NULL,
    PRIMARY KEY("simulation_id", "model_id")
);
