"""The passport service: a verifying registry, a GS1 Digital Link resolver and the passport
page (``batterypass serve``)."""
