"""The hash chain's columns (filled by 0004), the purge anchor and the anonymisation mark."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_alter_auditentry_action"),
        ("cases", "0011_merge_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="前一条哈希"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="本条哈希"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("reveal_pii", "查看完整个人信息"),
                    ("export", "导出"),
                    ("login", "登录"),
                    ("login_failed", "登录失败"),
                    ("token_issued", "签发令牌"),
                    ("config_changed", "修改配置"),
                    ("access_report", "查询个人信息访问记录"),
                    ("anonymise", "匿名化处理"),
                    ("keys_rotated", "轮换加密密钥"),
                    ("audit_purged", "清理过期审计记录"),
                ],
                max_length=32,
                verbose_name="动作",
            ),
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-seq"],
                "verbose_name": "审计记录",
                "verbose_name_plural": "审计记录",
            },
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["actor", "created_at"], name="audit_audit_actor_i_3c2844_idx"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                fields=["action", "created_at"], name="audit_audit_action_ebedd2_idx"
            ),
        ),
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True, verbose_name="起始序号")),
                ("prev_hash", models.CharField(max_length=64, verbose_name="锚定哈希")),
                ("purged_before", models.DateField(verbose_name="清理截止日期")),
                ("rows_purged", models.PositiveBigIntegerField(verbose_name="清理条数")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间")),
            ],
            options={
                "verbose_name": "审计链锚点",
                "verbose_name_plural": "审计链锚点",
                "ordering": ["-seq"],
            },
        ),
        migrations.CreateModel(
            name="AnonymisedCase",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="anonymisation",
                        serialize=False,
                        to="cases.case",
                        verbose_name="事项",
                    ),
                ),
                ("anonymised_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="匿名化时间")),
                ("parties", models.PositiveIntegerField(default=0, verbose_name="当事人数")),
                ("files_removed", models.PositiveIntegerField(default=0, verbose_name="删除文件数")),
            ],
            options={
                "verbose_name": "已匿名化事项",
                "verbose_name_plural": "已匿名化事项",
            },
        ),
    ]
