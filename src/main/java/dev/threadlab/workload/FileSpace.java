package dev.threadlab.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * The private folder the {@code file} workload writes in, and the budget of bytes that its tasks may hold on
 * disk at once. Created owner-only under the system temp folder; removed with everything in it by
 * {@link #close()}. Thread-safe: the budget is a fair {@link Semaphore} of KiB.
 */
public final class FileSpace implements AutoCloseable {

    private final Path folder;
    private final Semaphore budgetKiB;
    private final long budgetBytes;

    public FileSpace(Path parent, long budgetBytes) {
        try {
            Files.createDirectories(parent);
            this.folder = Files.createTempDirectory(parent, "threadlab-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the file workload's folder under " + parent, e);
        }
        this.budgetBytes = budgetBytes;
        this.budgetKiB = new Semaphore(kib(budgetBytes), true);
    }

    public Path folder() {
        return folder;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** Blocks until {@code bytes} of budget are free. */
    void reserve(long bytes) throws InterruptedException {
        budgetKiB.acquire(kib(bytes));
    }

    void release(long bytes) {
        budgetKiB.release(kib(bytes));
    }

    /** Bytes of budget free now (what no task holds). */
    public long freeBytes() {
        return budgetKiB.availablePermits() * 1024L;
    }

    private static int kib(long bytes) {
        return (int) Math.max(1, (bytes + 1023) / 1024);
    }

    /** Files now in the folder (a task's file lives only while the task runs). */
    public long fileCount() {
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + folder, e);
        }
    }
}
