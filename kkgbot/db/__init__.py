"""Storage: the models, the engine and the migrations runner."""
