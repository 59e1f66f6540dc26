using Berth.Core.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class SystemSettingConfiguration : IEntityTypeConfiguration<SystemSetting>
{
    public void Configure(EntityTypeBuilder<SystemSetting> builder)
    {
        builder.ToTable("System_Settings");
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasColumnName("Key");
        builder.Property(s => s.Value).HasColumnName("Value").IsRequired();
        builder.Property(s => s.UpdatedAt).HasColumnName("UpdatedAt").IsRequired();
    }
}
