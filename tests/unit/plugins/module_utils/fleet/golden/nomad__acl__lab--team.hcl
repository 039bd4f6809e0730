# agentfleet.fleet/lab tenant team
namespace "team" {
  capabilities = ["list-jobs", "parse-job", "read-job", "submit-job", "dispatch-job", "read-logs", "read-job-scaling", "scale-job"]
}

node_pool "default" {
  policy = "read"
}
