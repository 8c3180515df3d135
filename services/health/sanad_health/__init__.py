"""The provider health service (sanad.health.v1): outcomes, circuits, primary order."""
