"""Agreements registry: agreements and arrangements, their rules, evidence and protocols."""
