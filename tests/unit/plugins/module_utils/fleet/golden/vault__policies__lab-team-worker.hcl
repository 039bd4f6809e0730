# Managed by agentfleet: fleet lab, agent team/worker.
# Read-only access to exactly the secrets this agent declares.

path "secret/data/team/worker/db" {
  capabilities = ["read"]
}
