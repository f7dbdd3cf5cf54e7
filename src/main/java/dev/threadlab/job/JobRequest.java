package dev.threadlab.job;

import java.util.Map;

/**
 * A client's request for a job, as decoded from JSON and not yet validated. Numbers stay raw ({@code Object}) so
 * that validation, not decoding, reports a bad value with its field and allowed range.
 */
public record JobRequest(String workload, String pool, Object tasks, Map<String, Object> params, Object timeoutMs) {
}
