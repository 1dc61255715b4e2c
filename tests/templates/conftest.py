from tests.campaigns.workers import fresh_redis, smtp_servers  # noqa: F401 (fixtures the campaigns' helpers use)
