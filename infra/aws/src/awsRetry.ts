const ATTEMPTS = 6;
const FIRST_WAIT_SECONDS = 5;

/**
 * IAM takes seconds to reach a new server's role, so its first AWS CLI calls may be refused; `set -e` would
 * then end the boot and the group would replace the server after its grace period. Prefixed to a command,
 * `aws_retry` tries it up to 6 times, waiting 5 s longer each time (75 s in all), then fails naming it.
 */
export const AWS_RETRY_FUNCTION = [
  'aws_retry() {',
  '  local attempt=1',
  '  until "$@"; do',
  `    if [ "$attempt" -ge ${ATTEMPTS} ]; then`,
  '      echo "todobox: aws $2 $3 failed $attempt times, giving up" >&2',
  '      return 1',
  '    fi',
  `    echo "todobox: aws $2 $3 failed, trying again in $((attempt * ${FIRST_WAIT_SECONDS})) s" >&2`,
  `    sleep $((attempt * ${FIRST_WAIT_SECONDS}))`,
  '    attempt=$((attempt + 1))',
  '  done',
  '}',
];
