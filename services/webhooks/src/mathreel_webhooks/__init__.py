"""The webhooks worker: signs and delivers job notifications to the endpoints users registered."""
