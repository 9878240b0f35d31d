# Sourced by the extraction scripts. extract_tree GITDIR COMMIT DEST PATH...: writes every file under
# PATH... of COMMIT to DEST/<its repository path>, blob by blob. Unlike `git archive`, which stops at
# the first blob absent from a snapshot (snapshots may leave out their largest files, even outside
# PATH), it skips absent blobs, names them on stderr and counts them in $ABSENT.
extract_tree() {
  local g=$1 c=$2 dest=$3; shift 3
  ABSENT=0
  while IFS= read -r -d '' line; do
    local meta=${line%%$'\t'*} path=${line#*$'\t'}
    local type blob; read -r _ type blob <<< "$meta"
    [ "$type" = blob ] || continue
    mkdir -p "$dest/$(dirname "$path")"
    if git --git-dir="$g" cat-file -e "$blob" 2>/dev/null; then
      git --git-dir="$g" cat-file blob "$blob" > "$dest/$path"
    else
      echo "absent from the snapshot: $path ($blob)" >&2; ABSENT=$((ABSENT + 1))
    fi
  done < <(git --git-dir="$g" ls-tree -r -z "$c" -- "$@")
}
