"""Messages of background jobs (certbridge.jobs): code → Chinese and English text."""

MESSAGES: dict[str, dict[str, str]] = {
    "job.not_found": {"zh": "找不到编号为 {id} 的后台任务", "en": "There is no background job {id}"},
    "job.interrupted": {"zh": "服务器停止时任务被中断，未写入任何数据；请重新提交",
                        "en": "The job was interrupted when the server stopped; nothing of it was written. Submit it again"},
    "job.failed": {"zh": "任务未能完成，未写入任何数据；如再次出现，请联系管理员",
                   "en": "The job could not be completed and nothing of it was written; if this happens again, tell "
                         "the administrator"},
    "job.no_file": {"zh": "后台任务 {id} 没有可下载的文件（尚未完成，或文件已过保存期限）",
                    "en": "Background job {id} has no file to download (not finished yet, or the file is no longer kept)"},
    "job.stopping": {"zh": "服务器正在停止，暂不接受新任务，请稍后重试",
                     "en": "The server is stopping and takes no new jobs; please retry shortly"},
}
