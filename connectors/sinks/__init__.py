"""Alert sinks beside Kafka: HTTP webhooks (HMAC-signed JSON or a Slack-compatible payload), with timeouts,
retries with exponential backoff, a per-sink rate limit, and a sent-ledger of `alert_id`s.

Faust-free and Kafka-free: `streams.alerts.delivery` feeds them from the alert topics.
"""
