"""联系卡联系方式: the contact printed and carried by the QR code on contact cards, per area.

Asked the first time cards are printed (the print dialog opens it when no contact is set), and
from 文件 → 打印 → 联系卡联系方式…. Saved with :func:`gisplanner.reporting.printouts.contact.set_contact`.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from gisplanner.reporting.printouts.contact import (
    ANY_AREA,
    Contact,
    ContactError,
    contact_areas,
    get_contact,
    set_contact,
)


class ContactDialog(QDialog):
    def __init__(self, parent, store, reason: str = ""):
        super().__init__(parent)
        self.store = store
        self.saved: Contact | None = None
        self.setWindowTitle(self.tr("走访联系卡的联系方式"))
        intro = QLabel(
            reason
            or self.tr(
                "印在走访联系卡上、并写入二维码（手机扫码即可保存为联系人）。可为全镇统一设置，也可按村（社区）设置。"
            )
        )
        intro.setWordWrap(True)
        self.area = QComboBox()
        self.area.addItem(self.tr("全部（通用）"), ANY_AREA)
        for code, name in contact_areas(store):
            self.area.addItem(f"{name}（{code}）", code)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("如 雪堰镇大走访办公室"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("办公电话，如 0519-86541234"))
        self.village_phone = QLineEdit()
        self.village_phone.setPlaceholderText(self.tr("村（居）委会电话（可空）"))
        self.url = QLineEdit()
        self.url.setPlaceholderText(self.tr("网址（可空），须以 https:// 开头"))
        self.wechat = QLineEdit()
        self.wechat.setPlaceholderText(self.tr("微信号（可空）"))
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("适用区划"), self.area)
        form.addRow(self.tr("联系单位"), self.name)
        form.addRow(self.tr("办公电话"), self.phone)
        form.addRow(self.tr("村委会电话"), self.village_phone)
        form.addRow(self.tr("网址"), self.url)
        form.addRow(self.tr("微信号"), self.wechat)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.area.currentIndexChanged.connect(lambda _i: self._load())
        self._load()

    def _load(self) -> None:
        c = get_contact(self.store, self.area.currentData())
        for edit, value in (
            (self.name, c.name if c else ""),
            (self.phone, c.phone if c else ""),
            (self.village_phone, c.village_phone if c else ""),
            (self.url, c.url if c else ""),
            (self.wechat, c.wechat if c else ""),
        ):
            edit.setText(value)

    def save(self) -> None:
        try:
            self.saved = set_contact(
                self.store,
                Contact(
                    name=self.name.text(), phone=self.phone.text(), village_phone=self.village_phone.text(),
                    url=self.url.text(), wechat=self.wechat.text(), area_code=self.area.currentData(),
                ),
            )  # fmt: skip
        except ContactError as e:
            self.error.setText(str(e))
            return
        self.accept()
