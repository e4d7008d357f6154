package ldp.interop;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Apache Iceberg's own Java library against a catalog.db written by ldp.
 *
 * <pre>
 * JdbcInterop WAREHOUSE_DIR CATALOG_DB CATALOG_NAME read NS.TABLE
 * JdbcInterop WAREHOUSE_DIR CATALOG_DB CATALOG_NAME write NS.TABLE
 * </pre>
 *
 * Output is JSON lines on stdout, one object per line with a "kind":
 * "table" (format version, spec, current snapshot), "snapshot" (id, parent,
 * operation, sequence number, summary), "row" (the snapshot it was read at,
 * or null for the current state, and the row with values in a canonical text
 * form: decimals as plain strings, dates ISO, timestamps
 * "yyyy-MM-dd HH:mm:ss.SSSSSS", timestamptz the same in UTC with "+00").
 * Rows are sorted by the column "id".
 *
 * "write" creates the table (format v2, partitioned by identity(category) and
 * day(ts)), appends one data file in each of two commits with Iceberg's
 * generic Parquet writer, and prints the rows it wrote and then the table as
 * "read" would.
 */
public final class JdbcInterop {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private JdbcInterop() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println(
          "usage: JdbcInterop WAREHOUSE_DIR CATALOG_DB CATALOG_NAME read|write NS.TABLE");
      System.exit(2);
    }
    Map<String, String> props = new HashMap<>();
    props.put("uri", "jdbc:sqlite:" + args[1]);
    props.put("warehouse", args[0]);
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize(args[2], props);
    try {
      TableIdentifier ident = TableIdentifier.parse(args[4]);
      PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
      switch (args[3]) {
        case "read":
          dump(catalog.loadTable(ident), out);
          break;
        case "write":
          write(catalog, ident, out);
          break;
        default:
          System.err.println("unknown command " + args[3]);
          System.exit(2);
      }
      out.flush();
    } finally {
      catalog.close();
    }
  }

  static final Schema WRITE_SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "category", Types.StringType.get()),
          Types.NestedField.optional(3, "amount", Types.DoubleType.get()),
          Types.NestedField.optional(4, "price", Types.DecimalType.of(10, 2)),
          Types.NestedField.optional(5, "d", Types.DateType.get()),
          Types.NestedField.optional(6, "ts", Types.TimestampType.withoutZone()));

  private static void write(JdbcCatalog catalog, TableIdentifier ident, PrintStream out)
      throws IOException {
    if (!catalog.namespaceExists(ident.namespace())) {
      catalog.createNamespace(ident.namespace());
    }
    PartitionSpec spec =
        PartitionSpec.builderFor(WRITE_SCHEMA).identity("category").day("ts").build();
    Map<String, String> tprops = new HashMap<>();
    tprops.put("format-version", "2");
    Table table = catalog.createTable(ident, WRITE_SCHEMA, spec, tprops);

    List<Record> all = new ArrayList<>();
    for (int batch = 0; batch < 2; batch++) {
      List<Record> rows = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        long id = batch * 10 + i + 1;
        Record r = GenericRecord.create(WRITE_SCHEMA);
        r.setField("id", id);
        r.setField("category", batch == 0 ? "alpha" : "beta");
        // the last row of each batch has NULLs in every optional non-partition column
        r.setField("amount", i == 2 ? null : id * 1.25);
        r.setField("price", i == 2 ? null : new BigDecimal(id + ".05"));
        r.setField("d", i == 2 ? null : LocalDate.of(2024, 3, 1 + i));
        r.setField("ts", LocalDateTime.of(2024, 3, 1 + batch, 8 + i, 30, 15, 123456000));
        rows.add(r);
      }
      // every row of a batch falls in one partition (category, day(ts))
      PartitionKey key = new PartitionKey(table.spec(), table.schema());
      InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
      key.partition(wrapper.wrap(rows.get(0)));
      OutputFile file =
          table
              .io()
              .newOutputFile(
                  table.locationProvider()
                      .newDataLocation(
                          table.spec(), key, "java-" + UUID.randomUUID() + ".parquet"));
      DataWriter<Record> writer =
          Parquet.writeData(file)
              .schema(table.schema())
              .createWriterFunc(GenericParquetWriter::create)
              .withSpec(table.spec())
              .withPartition(key)
              .overwrite()
              .build();
      try {
        for (Record r : rows) {
          writer.write(r);
        }
      } finally {
        writer.close();
      }
      DataFile df = writer.toDataFile();
      if (df.format() != FileFormat.PARQUET) {
        throw new IllegalStateException("not parquet");
      }
      table.newAppend().appendFile(df).commit();
      all.addAll(rows);
    }
    all.sort(Comparator.comparingLong(r -> (Long) r.getField("id")));
    for (Record r : all) {
      out.println("{\"kind\":\"written\",\"row\":" + rowJson(r, WRITE_SCHEMA.asStruct()) + "}");
    }
    table.refresh();
    dump(table, out);
  }

  private static void dump(Table table, PrintStream out) throws IOException {
    Snapshot cur = table.currentSnapshot();
    out.println(
        "{\"kind\":\"table\",\"format_version\":"
            + ((org.apache.iceberg.HasTableOperations) table)
                .operations()
                .current()
                .formatVersion()
            + ",\"spec\":"
            + str(table.spec().toString().replaceAll("\\s+", " "))
            + ",\"current_snapshot\":"
            + (cur == null ? "null" : Long.toString(cur.snapshotId()))
            + ",\"location\":"
            + str(table.location())
            + "}");
    for (Snapshot s : table.snapshots()) {
      StringBuilder b = new StringBuilder();
      b.append("{\"kind\":\"snapshot\",\"id\":").append(s.snapshotId());
      b.append(",\"parent\":").append(s.parentId() == null ? "null" : s.parentId().toString());
      b.append(",\"operation\":").append(str(s.operation()));
      b.append(",\"sequence_number\":").append(s.sequenceNumber());
      b.append(",\"timestamp_ms\":").append(s.timestampMillis());
      b.append(",\"summary\":{");
      boolean first = true;
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(s.summary()).entrySet()) {
        b.append(first ? "" : ",").append(str(e.getKey())).append(':').append(str(e.getValue()));
        first = false;
      }
      b.append("}}");
      out.println(b);
    }
    Types.StructType struct = table.schema().asStruct();
    List<Record> current = printRows(IcebergGenerics.read(table).build(), struct, "null", out);
    checkPruning(table, current, out);
    for (Snapshot s : table.snapshots()) {
      Types.StructType st = table.schemas().get(s.schemaId()).asStruct();
      printRows(
          IcebergGenerics.read(table).useSnapshot(s.snapshotId()).build(),
          st,
          Long.toString(s.snapshotId()),
          out);
    }
  }

  /**
   * Java plans scans with the manifests' partition summaries and the data
   * files' value counts and lower/upper bounds, so a wrong statistic written by
   * the other side makes a filtered read lose rows. For every row of the
   * current state and every primitive column, read with "column = value" (or
   * "column IS NULL") and require the row among the results.
   */
  private static void checkPruning(Table table, List<Record> rows, PrintStream out)
      throws IOException {
    int checked = 0;
    List<String> failures = new ArrayList<>();
    Types.StructType struct = table.schema().asStruct();
    for (Record r : rows) {
      String want = rowJson(r, struct);
      for (Types.NestedField f : struct.fields()) {
        if (!f.type().isPrimitiveType()) {
          continue;
        }
        Object v = r.getField(f.name());
        Expression e;
        if (v == null) {
          e = Expressions.isNull(f.name());
        } else if (v instanceof LocalDate || v instanceof LocalDateTime) {
          e = Expressions.equal(f.name(), v.toString());
        } else if (v instanceof OffsetDateTime) {
          e = Expressions.equal(f.name(), ((OffsetDateTime) v).toString());
        } else if (v instanceof LocalTime) {
          e = Expressions.equal(f.name(), v.toString());
        } else if (v instanceof Double && ((Double) v).isNaN()
            || v instanceof Float && ((Float) v).isNaN()) {
          e = Expressions.isNaN(f.name());
        } else if (v instanceof ByteBuffer || v instanceof byte[] || v instanceof UUID) {
          continue;
        } else {
          e = Expressions.equal(f.name(), v);
        }
        boolean found = false;
        try (CloseableIterable<Record> it = IcebergGenerics.read(table).where(e).build()) {
          for (Record got : it) {
            if (rowJson(got, struct).equals(want)) {
              found = true;
              break;
            }
          }
        }
        checked++;
        if (!found) {
          failures.add(str(e + " lost " + want));
        }
      }
    }
    // and the statistics are used at all: no file can hold an id above every row's
    long beyond = 0;
    int filesBeyond = -1;
    if (struct.field("id") != null && table.currentSnapshot() != null) {
      for (Record r : rows) {
        beyond = Math.max(beyond, ((Number) r.getField("id")).longValue() + 1000);
      }
      filesBeyond = 0;
      try (CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
          table.newScan().filter(Expressions.equal("id", beyond)).planFiles()) {
        for (org.apache.iceberg.FileScanTask t : tasks) {
          filesBeyond++;
        }
      }
    }
    out.println(
        "{\"kind\":\"pruning\",\"files_for_absent_id\":"
            + filesBeyond
            + ",\"checked\":"
            + checked
            + ",\"failures\":["
            + String.join(",", failures)
            + "]}");
  }

  private static List<Record> printRows(
      CloseableIterable<Record> it, Types.StructType struct, String snap, PrintStream out)
      throws IOException {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = it) {
      for (Record r : records) {
        rows.add(r.copy());
      }
    }
    if (struct.field("id") != null) {
      rows.sort(
          Comparator.comparing(
              r -> (Comparable) r.getField("id"), Comparator.nullsFirst(Comparator.naturalOrder())));
    }
    for (Record r : rows) {
      out.println(
          "{\"kind\":\"row\",\"snapshot\":" + snap + ",\"row\":" + rowJson(r, struct) + "}");
    }
    return rows;
  }

  private static String rowJson(Record r, Types.StructType struct) {
    StringBuilder b = new StringBuilder("{");
    boolean first = true;
    for (Types.NestedField f : struct.fields()) {
      b.append(first ? "" : ",").append(str(f.name())).append(':');
      b.append(value(r.getField(f.name()), f.type()));
      first = false;
    }
    return b.append('}').toString();
  }

  private static String value(Object v, Type type) {
    if (v == null) {
      return "null";
    }
    switch (type.typeId()) {
      case BOOLEAN:
      case INTEGER:
      case LONG:
        return v.toString();
      case FLOAT:
      case DOUBLE:
        {
          double d = ((Number) v).doubleValue();
          return Double.isFinite(d) ? v.toString() : str(v.toString());
        }
      case DECIMAL:
        return str(((BigDecimal) v).toPlainString());
      case DATE:
        return str(((LocalDate) v).toString());
      case TIME:
        return str(((LocalTime) v).toString());
      case TIMESTAMP:
        if (v instanceof OffsetDateTime) {
          return str(
              ((OffsetDateTime) v).withOffsetSameInstant(ZoneOffset.UTC).format(TS) + "+00");
        }
        return str(((LocalDateTime) v).format(TS));
      case BINARY:
      case FIXED:
        {
          ByteBuffer bb =
              v instanceof ByteBuffer ? ((ByteBuffer) v).duplicate() : ByteBuffer.wrap((byte[]) v);
          StringBuilder h = new StringBuilder();
          while (bb.hasRemaining()) {
            h.append(String.format("%02x", bb.get()));
          }
          return str(h.toString());
        }
      default:
        return str(v.toString());
    }
  }

  private static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
