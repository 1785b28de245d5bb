#!/bin/sh
# Entrypoint of the orders-service image.
#  - Arguments starting with "-" are node options for the service
#    (docker run orders-service --inspect=0.0.0.0:9229).
#  - For the service: MONGO_URL, or MONGO_URL_FILE naming a file that holds it
#    (Docker and Kubernetes secrets), is required; started as root, it makes
#    the export directory writable and runs the service as the `node` user.
#  - Anything else (sh, npm ...) runs as given.
set -e

# file_env VAR: VAR may be given as the contents of the file named by VAR_FILE.
file_env() {
	var=$1
	file_var="${var}_FILE"
	eval "val=\${$var:-}"
	eval "file_val=\${$file_var:-}"
	if [ -n "$val" ] && [ -n "$file_val" ]; then
		echo "docker-entrypoint.sh: both $var and $file_var are set; use one" >&2
		exit 1
	fi
	if [ -n "$file_val" ]; then
		val=$(cat "$file_val")
		export "$var=$val"
	fi
	unset "$file_var"
}

if [ "${1#-}" != "$1" ]; then
	set -- node src/index.js "$@"
fi

if [ "$1" = node ]; then
	file_env MONGO_URL
	if [ -z "${MONGO_URL:-}" ]; then
		echo "docker-entrypoint.sh: MONGO_URL is not set; pass -e MONGO_URL=mongodb://user:pass@host:27017/orders (or MONGO_URL_FILE)" >&2
		exit 1
	fi

	if [ "$(id -u)" = 0 ]; then
		if [ -n "${EXPORT_DIR:-}" ]; then
			mkdir -p "$EXPORT_DIR"
			chown -R node:node "$EXPORT_DIR"
		fi
		exec setpriv --reuid=node --regid=node --init-groups "$0" "$@"
	fi
fi

exec "$@"
