"""Messages of `certbridge backup` and `certbridge restore`: code → Chinese and English text."""

MESSAGES: dict[str, dict[str, str]] = {
    "backup.output_exists": {"zh": "备份文件 {path} 已存在，不会覆盖；请换一个文件名",
                             "en": "The backup file {path} already exists and will not be overwritten; choose another name"},
    "backup.output_suffix": {"zh": "备份文件名应以 .tar.gz、.tgz 或 .tar 结尾：{path}",
                             "en": "The backup file name must end in .tar.gz, .tgz or .tar: {path}"},
    "backup.no_database": {"zh": "数据库 {path} 不存在，没有可备份的内容",
                           "en": "The database {path} does not exist: there is nothing to back up"},
    "backup.pg_tool_missing": {
        "zh": "找不到 {tool}（PostgreSQL 客户端工具）。请安装与服务器相同主版本（{server}）的客户端，或用 --pg-bin 指定其目录",
        "en": "{tool} (a PostgreSQL client tool) was not found. Install the client of the server's major version "
              "({server}) or point --pg-bin at its directory"},
    "backup.pg_version_mismatch": {
        "zh": "{tool} 的版本是 {client}，而 PostgreSQL 服务器是 {server}：主版本不一致，拒绝继续。"
              "请使用同一主版本的客户端（例如 --pg-bin /usr/lib/postgresql/{server}/bin）",
        "en": "{tool} is version {client} but the PostgreSQL server is {server}: the major versions differ, so "
              "nothing was done. Use the client of the same major version (e.g. --pg-bin /usr/lib/postgresql/{server}/bin)"},
    "backup.pg_tool_failed": {"zh": "{tool} 失败（退出码 {code}）：{detail}",
                              "en": "{tool} failed (exit code {code}): {detail}"},
    "backup.archive_unreadable": {"zh": "无法读取备份文件 {path}：{detail}",
                                  "en": "Cannot read the backup file {path}: {detail}"},
    "backup.archive_format": {"zh": "{path} 不是 certbridge 备份（缺少 manifest.json 或格式为「{found}」）",
                              "en": "{path} is not a certbridge backup (no manifest.json, or format '{found}')"},
    "backup.checksum": {"zh": "备份中的 {member} 校验和不符（应为 {expected}，实为 {found}）：文件已损坏或被改动，拒绝恢复",
                        "en": "Checksum of {member} in the backup does not match (expected {expected}, found {found}): "
                              "the file is damaged or was altered, so nothing was restored"},
    "backup.member_missing": {"zh": "备份中缺少清单所列的 {member}", "en": "The backup lacks {member}, listed in its manifest"},
    "backup.backend_mismatch": {
        "zh": "这是 {archive} 数据库的备份，而目标是 {target} 数据库；只能恢复到同一种数据库",
        "en": "This is a backup of a {archive} database but the target is {target}; restore into the same kind of database"},
    "backup.instance_mismatch": {
        "zh": "备份来自实例「{archive}」，而当前实例名称是「{target}」。签名密钥以实例名称命名，"
              "请设置 CERTBRIDGE_INSTANCE_NAME={archive} 后再恢复",
        "en": "The backup comes from instance '{archive}' but this instance is named '{target}'. Signing keys are "
              "named after the instance: set CERTBRIDGE_INSTANCE_NAME={archive} and restore again"},
    "backup.target_not_empty": {
        "zh": "目标数据库不是空的（{detail}），拒绝覆盖。确实要用备份替换其全部内容，请加 --force",
        "en": "The target database is not empty ({detail}); it will not be overwritten. To replace everything in "
              "it with the backup, add --force"},
    "backup.target_files_differ": {
        "zh": "数据目录中已有不同的 {path}，拒绝覆盖。确实要用备份替换，请加 --force",
        "en": "The data directory already holds a different {path}; it will not be overwritten. To replace it with "
              "the backup, add --force"},
    "backup.verify_failed": {
        "zh": "恢复后的追溯日志校验失败：{detail}。数据与备份清单不一致，请勿使用此实例",
        "en": "The restored log failed verification: {detail}. The data does not match the backup's manifest; do not "
              "use this instance"},
    "backup.mismatch": {"zh": "{what}：清单为 {expected}，恢复后为 {found}",
                        "en": "{what}: the manifest says {expected}, the restored database has {found}"},
    # CLI output
    "backup.done": {"zh": "已备份到 {path}（{size}）", "en": "Backed up to {path} ({size})"},
    "backup.summary": {
        "zh": "{backend} · 架构版本 {revision} · 日志 {events} 条事件，树大小 {tree}，根 {root}",
        "en": "{backend} · schema {revision} · log {events} events, tree size {tree}, root {root}"},
    "backup.files": {"zh": "数据目录文件 {count} 个：{names}", "en": "{count} data-directory files: {names}"},
    "backup.restored": {"zh": "已恢复到 {target}", "en": "Restored into {target}"},
    "backup.verified": {
        "zh": "追溯日志校验通过：{events} 条事件，树大小 {tree}，根 {root}，与备份清单一致",
        "en": "The log verifies: {events} events, tree size {tree}, root {root}, as in the backup's manifest"},
    "backup.schema_note": {
        "zh": "备份的数据库架构版本为 {archive}，本程序为 {code}：请运行 certbridge db upgrade",
        "en": "The backup's schema revision is {archive}, this program's is {code}: run certbridge db upgrade"},
    "backup.workdays_note": {
        "zh": "备份含工作日覆盖文件，已恢复为 {path}；请设置 CERTBRIDGE_WORKDAY_OVERRIDES={path}",
        "en": "The backup holds a working-day override file, restored as {path}; set CERTBRIDGE_WORKDAY_OVERRIDES={path}"},
}
