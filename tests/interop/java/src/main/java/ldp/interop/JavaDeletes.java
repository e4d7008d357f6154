package ldp.interop;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;

/**
 * Delete files written by Apache Iceberg's own Java API into a table ldp
 * created (tests/e2e-heavy/iceberg_java_deletes.sh).
 *
 * <pre>
 * JavaDeletes WAREHOUSE_DIR CATALOG_DB CATALOG_NAME delete NS.TABLE
 * JavaDeletes WAREHOUSE_DIR CATALOG_DB CATALOG_NAME rows NS.TABLE
 * </pre>
 *
 * The table has columns id long, cat string, v int and is partitioned by
 * identity(cat), with rows in partitions "a" and "b". "delete" commits one
 * RowDelta holding:
 *
 * <ul>
 *   <li>an equality delete file on v in partition a, values 30, 50, NULL and
 *       130 (130 only occurs in partition b, out of this file's scope);
 *   <li>an equality delete file on id in partition b, value 12;
 *   <li>a position delete file in partition b naming the position of the row
 *       id = 15 in the data file that holds it (found by reading that file);
 *   <li>a new data file in partition a with rows (22, a, 50) and (23, a, 30):
 *       added in the same commit, so at the deletes' sequence number, which
 *       equality deletes do not reach.
 * </ul>
 *
 * "rows" prints the table as Iceberg reads it (delete files applied), one
 * JSON object per line sorted by id.
 */
public final class JavaDeletes {
  private JavaDeletes() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: JavaDeletes WAREHOUSE_DIR CATALOG_DB CATALOG_NAME delete|rows NS.TABLE");
      System.exit(2);
    }
    Map<String, String> props = new HashMap<>();
    props.put("uri", "jdbc:sqlite:" + args[1]);
    props.put("warehouse", args[0]);
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize(args[2], props);
    try {
      Table table = catalog.loadTable(TableIdentifier.parse(args[4]));
      PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
      switch (args[3]) {
        case "delete":
          delete(table, out);
          break;
        case "rows":
          rows(table, out);
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

  private static PartitionKey partition(Table table, String cat) {
    Record r = GenericRecord.create(table.schema());
    r.setField("cat", cat);
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    key.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(r));
    return key;
  }

  private static OutputFile newFile(Table table, PartitionKey key, String kind) {
    return table
        .io()
        .newOutputFile(
            table.locationProvider()
                .newDataLocation(table.spec(), key, "java-" + kind + "-" + UUID.randomUUID() + ".parquet"));
  }

  private static DeleteFile equalityDeletes(
      Table table, String cat, String column, List<Object> values) throws IOException {
    Schema deleteSchema = table.schema().select(column);
    int fieldId = table.schema().findField(column).fieldId();
    PartitionKey key = partition(table, cat);
    EqualityDeleteWriter<Record> w =
        Parquet.writeDeletes(newFile(table, key, "eq"))
            .forTable(table)
            .withPartition(key)
            .rowSchema(deleteSchema)
            .createWriterFunc(GenericParquetWriter::create)
            .equalityFieldIds(fieldId)
            .overwrite()
            .buildEqualityWriter();
    try {
      for (Object v : values) {
        Record r = GenericRecord.create(deleteSchema);
        r.setField(column, v);
        w.write(r);
      }
    } finally {
      w.close();
    }
    return w.toDeleteFile();
  }

  /** The data file of partition `cat` holding the row id = `id`, and that row's position. */
  private static Object[] locate(Table table, String cat, long id) throws IOException {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        DataFile f = t.file();
        if (!cat.equals(f.partition().get(0, String.class))) {
          continue;
        }
        long pos = 0;
        try (CloseableIterable<Record> rs =
            Parquet.read(table.io().newInputFile(f.location()))
                .project(table.schema())
                .createReaderFunc(s -> GenericParquetReaders.buildReader(table.schema(), s))
                .build()) {
          for (Record r : rs) {
            if (((Long) r.getField("id")) == id) {
              return new Object[] {f.location(), pos};
            }
            pos++;
          }
        }
      }
    }
    throw new IllegalStateException("no data file of partition " + cat + " holds id " + id);
  }

  private static void delete(Table table, PrintStream out) throws IOException {
    List<Object> aValues = new ArrayList<>();
    aValues.add(30);
    aValues.add(50);
    aValues.add(null);
    aValues.add(130);
    DeleteFile eqA = equalityDeletes(table, "a", "v", aValues);
    List<Object> bValues = new ArrayList<>();
    bValues.add(12L);
    DeleteFile eqB = equalityDeletes(table, "b", "id", bValues);

    Object[] hit = locate(table, "b", 15L);
    PartitionKey keyB = partition(table, "b");
    PositionDeleteWriter<Record> pw =
        Parquet.writeDeletes(newFile(table, keyB, "pos"))
            // not forTable(): that sets the table's schema as the deleted
            // rows' schema; these delete files hold file_path and pos only
            .withSpec(table.spec())
            .setAll(table.properties())
            .withPartition(keyB)
            .overwrite()
            .buildPositionWriter();
    try {
      PositionDelete<Record> pd = PositionDelete.create();
      pw.write(pd.set((String) hit[0], (Long) hit[1]));
    } finally {
      pw.close();
    }
    DeleteFile posB = pw.toDeleteFile();

    PartitionKey keyA = partition(table, "a");
    DataWriter<Record> dw =
        Parquet.writeData(newFile(table, keyA, "data"))
            .schema(table.schema())
            .createWriterFunc(GenericParquetWriter::create)
            .withSpec(table.spec())
            .withPartition(keyA)
            .overwrite()
            .build();
    try {
      for (long[] row : new long[][] {{22, 50}, {23, 30}}) {
        Record r = GenericRecord.create(table.schema());
        r.setField("id", row[0]);
        r.setField("cat", "a");
        r.setField("v", (int) row[1]);
        dw.write(r);
      }
    } finally {
      dw.close();
    }
    RowDelta delta =
        table.newRowDelta().addRows(dw.toDataFile()).addDeletes(eqA).addDeletes(eqB).addDeletes(posB);
    delta.commit();
    table.refresh();
    out.println(
        "{\"kind\":\"committed\",\"snapshot\":"
            + table.currentSnapshot().snapshotId()
            + ",\"sequence_number\":"
            + table.currentSnapshot().sequenceNumber()
            + ",\"position_deleted\":{\"file\":\""
            + hit[0]
            + "\",\"pos\":"
            + hit[1]
            + "}}");
  }

  private static void rows(Table table, PrintStream out) throws IOException {
    List<Record> all = new ArrayList<>();
    try (CloseableIterable<Record> rs = IcebergGenerics.read(table).build()) {
      for (Record r : rs) {
        all.add(r.copy());
      }
    }
    all.sort(Comparator.comparingLong(r -> (Long) r.getField("id")));
    for (Record r : all) {
      Object cat = r.getField("cat");
      Object v = r.getField("v");
      out.println(
          "{\"kind\":\"row\",\"id\":"
              + r.getField("id")
              + ",\"cat\":"
              + (cat == null ? "null" : "\"" + cat + "\"")
              + ",\"v\":"
              + (v == null ? "null" : v.toString())
              + "}");
    }
  }
}
