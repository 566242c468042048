"""The OpenAI-compatible ad-image surface ("Pi", ``req_pi_`` ids) at ``/api/v1/``."""
