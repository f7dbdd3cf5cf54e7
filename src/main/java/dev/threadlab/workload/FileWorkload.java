package dev.threadlab.workload;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;
import dev.threadlab.pool.TaskContext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * Real file I/O: each task writes {@code bytes} to its own file in the {@link FileSpace}, optionally fsyncs,
 * reads it back, verifies a CRC32C and deletes it. The file is deleted in a {@code finally}, so it never
 * outlives its task, whether the task succeeds, fails or is cancelled.
 */
public final class FileWorkload extends BaseWorkload {

    private static final int BLOCK = 64 * 1024;

    private final FileSpace space;
    private final long maxBytes;

    public FileWorkload(FileSpace space, long maxBytes) {
        super("file",
                "Real file I/O: write, fsync, read back and verify a private temp file per task, then delete it",
                "io");
        this.space = space;
        this.maxBytes = Math.min(maxBytes, space.budgetBytes());
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("bytes", 1L << 20, 1, maxBytes, "bytes", "file size per task"),
                ParamSpec.bool("fsync", true, "force the data to the device before reading it back"));
    }

    @Override
    public WorkloadRun start(Params params, int tasks, ContentionSink contention) {
        return new Run(space, params.getLong("bytes"), params.getBoolean("fsync"));
    }

    /** Thread-safety: adders only; each task owns its file and buffer. */
    private static final class Run implements WorkloadRun {
        private final FileSpace space;
        private final long bytes;
        private final boolean fsync;
        private final LongAdder writeNanos = new LongAdder();
        private final LongAdder readNanos = new LongAdder();
        private final LongAdder verified = new LongAdder();

        Run(FileSpace space, long bytes, boolean fsync) {
            this.space = space;
            this.bytes = bytes;
            this.fsync = fsync;
        }

        /**
         * The budget is released in a {@code finally} that begins right after the reservation: a blocking call that
         * completed always returns (see {@link TaskContext#blocking}), so a reservation is never lost to a cancel.
         */
        @Override
        public void runTask(TaskContext context) throws Exception {
            context.blocking(() -> {
                space.reserve(bytes);
                return null;
            });
            try {
                Path file = space.folder().resolve("task-" + UUID.randomUUID() + ".bin");
                try {
                    ByteBuffer block = ByteBuffer.allocate((int) Math.min(BLOCK, bytes));
                    long written = write(context, file, block);
                    long read = readBack(context, file, block);
                    if (written != read) {
                        throw new IOException("read-back mismatch: wrote CRC32C " + Long.toHexString(written)
                                + ", read " + Long.toHexString(read));
                    }
                    verified.increment();
                } finally {
                    Files.deleteIfExists(file);
                }
            } finally {
                space.release(bytes);
            }
        }

        private long write(TaskContext context, Path file, ByteBuffer block) throws IOException {
            long start = System.nanoTime();
            CRC32C crc = new CRC32C();
            long pattern = file.hashCode();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long offset = 0; offset < bytes; offset += block.capacity()) {
                    int length = (int) Math.min(block.capacity(), bytes - offset);
                    block.clear().limit(length);
                    for (int i = 0; i < length; i += Long.BYTES) {
                        pattern = pattern * 6364136223846793005L + 1442695040888963407L;
                        if (length - i >= Long.BYTES) {
                            block.putLong(i, pattern);
                        } else {
                            for (int j = i; j < length; j++) {
                                block.put(j, (byte) (pattern >>> (8 * (j - i))));
                            }
                        }
                    }
                    crc.update(block.duplicate());
                    context.checkpoint();
                    context.blocking(() -> {
                        while (block.hasRemaining()) {
                            channel.write(block);
                        }
                        return null;
                    });
                }
                if (fsync) {
                    context.blocking(() -> {
                        channel.force(true);
                        return null;
                    });
                }
            }
            writeNanos.add(System.nanoTime() - start);
            return crc.getValue();
        }

        private long readBack(TaskContext context, Path file, ByteBuffer block) throws IOException {
            long start = System.nanoTime();
            CRC32C crc = new CRC32C();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                while (true) {
                    block.clear();
                    int read = context.blocking(() -> channel.read(block));
                    if (read < 0) {
                        break;
                    }
                    block.flip();
                    crc.update(block);
                    context.checkpoint();
                }
            }
            readNanos.add(System.nanoTime() - start);
            return crc.getValue();
        }

        @Override
        public Map<String, Object> summary() {
            Map<String, Object> result = new LinkedHashMap<>();
            long done = verified.sum();
            result.put("bytesPerTask", bytes);
            result.put("fsync", fsync);
            result.put("verifiedTasks", done);
            result.put("writeMiBps", throughput(done, writeNanos.sum()));
            result.put("readMiBps", throughput(done, readNanos.sum()));
            return result;
        }

        private double throughput(long files, long nanos) {
            if (files == 0 || nanos == 0) {
                return 0.0;
            }
            return Math.round(files * bytes / 1048576.0 / (nanos / 1e9) * 10) / 10.0;
        }
    }
}
